using System.Globalization;
using System.Text;
using System.Text.Json;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>Builds a message's JSON body and Telegram text from its source row.</summary>
public static class MessageComposer
{
    // Telegram rejects texts over 4096 characters.
    private const int MaxTelegramText = 4000;

    public static NewMessage ForSignal(SignalRow signal)
    {
        var key = NewKey();
        var createdAt = UtcTimeHandlers.Parse(signal.CreatedAt);
        var body = new SignalMessage("signal", key, signal.Id, signal.Ticker, signal.Action, Math.Round(signal.Score, 4), Math.Round(signal.Confidence, 4), signal.Reason, createdAt);
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"{signal.Action.ToUpperInvariant()} {signal.Ticker} (score {signal.Score:+0.00;-0.00;0.00}, confidence {signal.Confidence:0.00})\n{signal.Reason}");
        return new NewMessage("signal", signal.Id, null, key, JsonSerializer.Serialize(body, NotifyJsonContext.Default.SignalMessage), Clip(text), createdAt);
    }

    public static NewMessage ForDigest(ArticleRow article, IReadOnlyList<PredictionRow> predictions)
    {
        var key = NewKey();
        var predictedAt = UtcTimeHandlers.Parse(article.PredictedAt);
        var body = new PredictionDigestMessage(
            "prediction",
            key,
            new DigestArticle(article.Id, article.Ticker, article.Title, article.Url, article.Source, UtcTimeHandlers.Parse(article.PublishedAt)),
            predictions.Select(p => new DigestPrediction(p.ModelId, p.Status, p.Direction, p.Impact, p.Confidence, p.Reasoning)).ToList(),
            predictedAt);

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{article.Ticker}: {article.Title}");
        foreach (var p in predictions)
        {
            text.Append('\n').Append(p.Status == "ok"
                ? string.Create(CultureInfo.InvariantCulture, $"{p.ModelId}: {p.Direction} ({p.Impact}, {p.Confidence:0.00})")
                : $"{p.ModelId}: {p.Status}");
        }

        if (article.Url is { Length: > 0 } url)
        {
            text.Append('\n').Append(url);
        }

        return new NewMessage("prediction", null, article.Id, key, JsonSerializer.Serialize(body, NotifyJsonContext.Default.PredictionDigestMessage), Clip(text.ToString()), predictedAt);
    }

    // Random rather than derived from a row id: ids restart with a new database file, and a receiver that
    // remembers keys would then drop a new message as a repeat.
    private static string NewKey() => Guid.NewGuid().ToString("N");

    private static string Clip(string text) => text.Length <= MaxTelegramText ? text : text[..MaxTelegramText] + "…";
}
