using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using KrxSignal.Worker.Calendar;

namespace KrxSignal.Worker.Signals;

/// <summary>`Worker signals` as JSON and CSV: every time in KST with its offset, as a person in Korea reads it.</summary>
public static class SignalExport
{
    private static readonly SignalExportJson Context = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Company names and titles are Korean: keep them readable rather than \uXXXX. Printed, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    });

    public static string KstText(DateTimeOffset instant) => instant.ToKst().ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static string Json(IReadOnlyList<StoredSignal> signals) =>
        JsonSerializer.Serialize(signals.Select(ToJson).ToList(), Context.ListSignalJson);

    /// <summary>One row per signal; the votes in one cell ("lexicon up high 0.70; …"), the article ids in another.</summary>
    public static string Csv(IReadOnlyList<StoredSignal> signals)
    {
        var text = new StringBuilder("created_at,ticker,name,action,score,confidence,reversal,votes,articles,delivery\n");
        foreach (var s in signals)
        {
            var votes = string.Join("; ", s.Votes.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Model} {v.Direction} {v.Impact} {v.Confidence:0.00}")));
            string[] cells =
            [
                KstText(s.CreatedAt), s.Ticker, s.Name ?? "", s.Action,
                s.Score.ToString("0.000", CultureInfo.InvariantCulture), s.Confidence.ToString("0.000", CultureInfo.InvariantCulture),
                s.Reversal ? "yes" : "no", votes, string.Join(" ", s.Articles.Select(a => a.Id)), s.Delivery.Status,
            ];
            text.AppendJoin(',', cells.Select(Cell)).Append('\n');
        }

        return text.ToString();
    }

    // RFC 4180: quote a cell holding a comma, a quote or a line break, doubling its quotes.
    private static string Cell(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static SignalJson ToJson(StoredSignal s) => new(
        s.Id, s.Ticker, s.Name, s.Action, Math.Round(s.Score, 4), Math.Round(s.Confidence, 4), KstText(s.CreatedAt), s.Reversal,
        s.Reverses?.SignalId, s.Reason,
        s.Votes.Select(v => new VoteJson(v.Model, v.Direction, v.Impact, v.Confidence, v.Weight, v.Reasoning, v.ArticleId)).ToList(),
        s.Articles.Select(a => new ArticleJson(a.Id, a.Title, a.Url, a.Source, KstText(a.PublishedAt), KstText(a.ArrivedAt))).ToList(),
        new DeliveryJson(s.Delivery.Status, s.Delivery.NotifiedAt is { } at ? KstText(at) : null, s.Delivery.Attempts, s.Delivery.LastError));
}

public sealed record SignalJson(
    long Id, string Ticker, string? Name, string Action, double Score, double Confidence, string CreatedAt, bool Reversal,
    long? ReversesSignalId, string Reason, IReadOnlyList<VoteJson> Votes, IReadOnlyList<ArticleJson> Articles, DeliveryJson Delivery);

public sealed record VoteJson(string Model, string Direction, string Impact, double Confidence, double Weight, string? Reasoning, string ArticleId);

public sealed record ArticleJson(string Id, string Title, string? Url, string? Source, string PublishedAt, string ArrivedAt);

public sealed record DeliveryJson(string Status, string? NotifiedAt, int Attempts, string? LastError);

[JsonSerializable(typeof(List<SignalJson>))]
public sealed partial class SignalExportJson : JsonSerializerContext;
