namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>A signals row not yet queued; <paramref name="Details"/> is signals.details, the votes and articles as JSON.</summary>
internal sealed record SignalRow(long Id, string Ticker, string Action, double Score, double Confidence, string Reason, DateTimeOffset CreatedAt, string Details);

/// <summary>A predicted article not yet queued for its digest.</summary>
internal sealed record ArticleRow(string Id, string Ticker, string Title, string? Url, string? Source, DateTimeOffset PublishedAt, DateTimeOffset PredictedAt);

/// <summary>One prediction of an article, for its digest.</summary>
internal sealed record PredictionRow(string ArticleId, string ModelId, string Status, string? Direction, string? Impact, double? Confidence, string? Reasoning);
