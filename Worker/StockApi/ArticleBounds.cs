using System.Text.Json;
using System.Text.Json.Nodes;

namespace KrxSignal.Worker.StockApi;

/// <summary>
/// Reads the news answer's articles one by one: a malformed or oversized article is left out with a warning that
/// names its id and the field, and its neighbours are kept. The bounds are far above any real article and stated
/// in docs/stock-api.md.
/// </summary>
internal static class ArticleBounds
{
    public const int MaxIdLength = 128;
    public const int MaxTitleLength = 500;
    public const int MaxSummaryLength = 4000;
    public const int MaxSourceLength = 200;
    public const int MaxUrlLength = 2048;

    private static readonly string[] Required = ["title", "published_at"];

    /// <summary>How much of a rejected id a warning shows.</summary>
    private const int ShownIdLength = 64;

    /// <summary>
    /// Parses <paramref name="body"/> as the news answer with its "articles" read item by item.
    /// Throws <see cref="JsonException"/> when the answer as a whole is unreadable.
    /// </summary>
    public static NewsSentiment? Read(ReadOnlySpan<byte> body, ICollection<string> skipped)
    {
        if (JsonNode.Parse(body) is not JsonObject root)
        {
            return JsonSerializer.Deserialize(body, StockApiJsonContext.Default.NewsSentiment);
        }

        var items = root["articles"] as JsonArray;
        if (items is not null)
        {
            root["articles"] = new JsonArray();
        }

        var news = root.Deserialize(StockApiJsonContext.Default.NewsSentiment);
        if (news is null || items is null)
        {
            return news;
        }

        var articles = new List<Article>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var (article, problem) = ReadOne(items[i], i);
            if (article is not null)
            {
                articles.Add(article);
            }
            else
            {
                skipped.Add(problem!);
            }
        }

        return news with { Articles = articles };
    }

    private static (Article? Article, string? Problem) ReadOne(JsonNode? item, int index)
    {
        if (item is not JsonObject fields)
        {
            return (null, $"articles[{index}] skipped: not an object");
        }

        var idNode = fields["id"];
        var idText = idNode is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var name = idText is null ? $"articles[{index}]" : $"article '{Shown(idText)}'";
        if (idText is null || string.IsNullOrWhiteSpace(idText))
        {
            return (null, $"{name} skipped: id is missing or not a string");
        }

        if (idText.Length > MaxIdLength || idText.Any(char.IsControl))
        {
            return (null, $"{name} skipped: id is over {MaxIdLength} characters or holds control characters");
        }

        if (Required.FirstOrDefault(f => fields[f] is null) is { } absent)
        {
            return (null, $"{name} skipped: {absent} is missing");
        }

        Article? article;
        try
        {
            article = fields.Deserialize(StockApiJsonContext.Default.Article);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "a field";
            return (null, $"{name} skipped: {field} is missing or of the wrong type");
        }

        var problem = article switch
        {
            null => "not an object",
            { Title: var t } when string.IsNullOrWhiteSpace(t) || t.Length > MaxTitleLength => $"title is blank or over {MaxTitleLength} characters",
            { Ticker: { } ticker } when !UpstreamPayload.IsTicker(ticker) => $"ticker '{Shown(ticker)}' does not match ^[0-9A-Z]{{6}}$",
            { Summary.Length: > MaxSummaryLength } => $"summary is over {MaxSummaryLength} characters",
            { Source.Length: > MaxSourceLength } => $"source is over {MaxSourceLength} characters",
            { Url.Length: > MaxUrlLength } => $"url is over {MaxUrlLength} characters",
            { Sentiment: { } score } when !double.IsFinite(score) || score is < -1 or > 1 => "sentiment is outside -1..1",
            _ => null,
        };
        return problem is null ? (article, null) : (null, $"{name} skipped: {problem}");
    }

    /// <summary>A bounded, one-line form of an upstream value: a warning about a hostile id must not itself start a log line.</summary>
    /// <remarks>Only cut: control characters stay, and the log layer escapes them with every other outside value.</remarks>
    private static string Shown(string value) => value.Length <= ShownIdLength ? value : value[..ShownIdLength] + "…";
}
