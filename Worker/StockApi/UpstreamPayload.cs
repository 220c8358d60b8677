using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace KrxSignal.Worker.StockApi;

/// <summary>
/// Turns a 2xx body into a checked value or a one-line problem. Nothing here throws: a garbage answer is a counted
/// failure of its endpoint, and the stale fallback carries the cycle.
/// </summary>
internal static partial class UpstreamPayload
{
    private const int MaxProblemLength = 200;

    public static (T? Value, string? Problem) Read<T>(UpstreamAnswer answer, JsonTypeInfo<T> type)
        where T : class => Read(answer, type, []);

    /// <param name="skipped">Receives one line per list item left out of an otherwise good answer (news articles).</param>
    public static (T? Value, string? Problem) Read<T>(UpstreamAnswer answer, JsonTypeInfo<T> type, ICollection<string> skipped)
        where T : class
    {
        if (answer.TooLarge)
        {
            return (null, $"body over {UpstreamAnswer.MaxBodyBytes / (1024 * 1024)} MB");
        }

        var body = answer.Body.AsSpan();
        var start = body.TrimStart(" \t\r\n\uFEFF"u8);
        if (start.IsEmpty)
        {
            return (null, "empty body");
        }

        if (start[0] == (byte)'<' || answer.MediaType?.Contains("html", StringComparison.OrdinalIgnoreCase) == true)
        {
            return (null, "HTML instead of JSON");
        }

        T? value;
        try
        {
            value = typeof(T) == typeof(NewsSentiment)
                ? ArticleBounds.Read(start, skipped) as T
                : JsonSerializer.Deserialize(start, type);
        }
        catch (JsonException e)
        {
            return (null, Shorten($"malformed JSON: {e.Message}"));
        }

        if (value is null)
        {
            return (null, "JSON null instead of an object");
        }

        var problem = value switch
        {
            Portfolio p => Check(p),
            NewsSentiment n => Check(n),
            ScreenerResult s => Check(s),
            _ => null,
        };
        return problem is null ? (value, null) : (null, Shorten(problem));
    }

    public static bool IsTicker(string? ticker) => ticker is not null && TickerPattern().IsMatch(ticker);

    // The source-generated reader already rejects missing required members and nulls in non-nullable ones;
    // these checks cover what JSON types cannot say (ticker format, null list items).
    private static string? Check(Portfolio portfolio)
    {
        for (var i = 0; i < portfolio.Holdings.Count; i++)
        {
            if (portfolio.Holdings[i] is not { } holding)
            {
                return $"holdings[{i}] is null";
            }

            if (!IsTicker(holding.Ticker))
            {
                return $"invalid ticker '{holding.Ticker}' at holdings[{i}]";
            }
        }

        return null;
    }

    private static string? Check(NewsSentiment news)
    {
        for (var i = 0; i < news.Tickers.Count; i++)
        {
            if (news.Tickers[i] is not { } ticker || !IsTicker(ticker.Ticker))
            {
                return $"invalid ticker '{news.Tickers[i]?.Ticker}' at tickers[{i}]";
            }
        }

        // Articles were checked one by one (ArticleBounds): a bad one is left out, not the whole answer.

        return null;
    }

    private static string? Check(ScreenerResult screener)
    {
        for (var i = 0; i < screener.Results.Count; i++)
        {
            if (screener.Results[i] is not { } row || !IsTicker(row.Ticker))
            {
                return $"invalid ticker '{screener.Results[i]?.Ticker}' at results[{i}]";
            }
        }

        return null;
    }

    private static string Shorten(string text) => text.Length <= MaxProblemLength ? text : text[..MaxProblemLength] + "…";

    [GeneratedRegex("^[0-9A-Z]{6}$", RegexOptions.CultureInvariant)]
    private static partial Regex TickerPattern();
}
