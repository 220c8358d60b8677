using System.Globalization;
using System.Text.Json;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Signals;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>Builds a message's JSON body and Telegram text (HTML parse mode) from its source row.</summary>
internal static class MessageComposer
{
    /// <summary>Room kept for the line that says how many votes or articles did not fit.</summary>
    private const int MoreLineReserve = 40;

    /// <summary>A message shows the strongest articles; the webhook body carries them all.</summary>
    private const int ArticlesInText = 3;

    public static NewMessage ForSignal(SignalRow signal)
    {
        var key = NewKey();
        var createdAt = signal.CreatedAt;
        var details = SignalDetailsReader.Read(signal.Details);
        var body = new SignalMessage(
            "signal", key, signal.Id, signal.Ticker, details.Name, signal.Action, Math.Round(signal.Score, 4), Math.Round(signal.Confidence, 4),
            signal.Reason, createdAt, details.Reverses is not null, details.Reverses?.SignalId,
            details.Votes.Select(v => new SignalVote(v.Model, v.ArticleId, v.Direction, v.Impact, v.Confidence, v.Weight, v.Reasoning)).ToList(),
            details.Articles.Select(a => new SignalArticle(a.Id, a.Title, a.Url, a.Source, a.PublishedAt)).ToList());
        return new NewMessage("signal", signal.Id, null, key, JsonSerializer.Serialize(body, NotifyJsonContext.Default.SignalMessage), SignalText(signal, details, createdAt), createdAt);
    }

    public static NewMessage ForDigest(ArticleRow article, IReadOnlyList<PredictionRow> predictions)
    {
        var key = NewKey();
        var predictedAt = article.PredictedAt;
        var body = new PredictionDigestMessage(
            "prediction",
            key,
            new DigestArticle(article.Id, article.Ticker, article.Title, article.Url, article.Source, article.PublishedAt),
            predictions.Select(p => new DigestPrediction(p.ModelId, p.Status, p.Direction, p.Impact, p.Confidence, p.Reasoning)).ToList(),
            predictedAt);

        var text = new TelegramHtml();
        text.TryAppendLine($"{TelegramHtml.Escape(article.Ticker, 20)}: {TelegramHtml.Link(article.Url, TelegramHtml.Escape(article.Title))}");
        foreach (var p in predictions)
        {
            var line = p.Status == "ok"
                ? string.Create(CultureInfo.InvariantCulture, $"{TelegramHtml.Escape(p.ModelId, 60)}: {p.Direction} ({p.Impact}, {p.Confidence:0.00})")
                : $"{TelegramHtml.Escape(p.ModelId, 60)}: {p.Status}";
            if (!text.TryAppendLine(line))
            {
                break;
            }
        }

        return new NewMessage("prediction", null, article.Id, key, JsonSerializer.Serialize(body, NotifyJsonContext.Default.PredictionDigestMessage), text.ToString(), predictedAt);
    }

    /// <summary>
    /// Name beside the code, action, score and confidence, a reversal said out loud, each model's view in one
    /// line, then the strongest articles with links; whatever does not fit in 4096 characters is counted, not cut.
    /// </summary>
    private static string SignalText(SignalRow signal, SignalDetails details, DateTimeOffset createdAt)
    {
        var text = new TelegramHtml();
        var name = details.Name is { } n ? " " + TelegramHtml.Escape(n, 60) : "";
        text.TryAppendLine($"<b>{signal.Action.ToUpperInvariant()} {TelegramHtml.Escape(signal.Ticker, 20)}{name}</b>");
        text.TryAppendLine(string.Create(
            CultureInfo.InvariantCulture,
            $"score {signal.Score:+0.00;-0.00;0.00}, confidence {signal.Confidence:0.00} · {createdAt.ToKst():yyyy-MM-dd HH:mm} KST"));
        if (details.Reverses is { } reversed)
        {
            text.TryAppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"<b>REVERSAL</b> of the {reversed.Action} signal of {reversed.CreatedAt.ToKst():yyyy-MM-dd HH:mm} KST"));
        }

        // The articles are written last but their room is kept first: a flood of votes must not crowd out the news.
        var articleLines = details.Articles.Take(ArticlesInText).Select(a => string.Create(
            CultureInfo.InvariantCulture,
            $"📰 {TelegramHtml.Link(a.Url, TelegramHtml.Escape(a.Title, 200))}{(a.Source is { } s ? " · " + TelegramHtml.Escape(s, 60) : "")} · {a.PublishedAt.ToKst():HH:mm} KST")).ToList();
        if (details.Articles.Count > ArticlesInText)
        {
            articleLines.Add(string.Create(CultureInfo.InvariantCulture, $"(+{details.Articles.Count - ArticlesInText} more articles)"));
        }

        var articleRoom = articleLines.Sum(l => l.Length + 1);
        AppendAll(text, details.Votes, v => string.Create(
            CultureInfo.InvariantCulture,
            $"• {TelegramHtml.Escape(v.Model, 60)}: {v.Direction}, {v.Impact} impact, confidence {v.Confidence:0.00}{(v.Reasoning is { } r ? " — " + TelegramHtml.Escape(r, EvidenceBuilder.ReasoningExcerpt) : "")}"),
            "votes", articleRoom);
        AppendAll(text, articleLines, l => l, "articles", 0);
        return text.ToString();
    }

    private static void AppendAll<T>(TelegramHtml text, IReadOnlyList<T> items, Func<T, string> line, string what, int keepFree)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (!text.TryAppendLine(line(items[i]), (i == items.Count - 1 ? 0 : MoreLineReserve) + keepFree))
            {
                text.TryAppendLine(string.Create(CultureInfo.InvariantCulture, $"(+{items.Count - i} more {what})"), keepFree);
                return;
            }
        }
    }

    // Random rather than derived from a row id: ids restart with a new database file, and a receiver that
    // remembers keys would then drop a new message as a repeat.
    private static string NewKey() => Guid.NewGuid().ToString("N");
}
