namespace KrxSignal.Worker.Predictions;

/// <summary>The values of predictions.status.</summary>
public static class PredictionStatus
{
    public const string Ok = "ok";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

/// <summary>What one (article, model) pair produced, as its predictions row is written.</summary>
/// <param name="Normalised">What the tolerant reader changed in the answer; null for a clean one.</param>
/// <param name="Transient">The failure was transient (5xx, 429, timeout, connection): it did not count against Predictions:MaxAttempts.</param>
public sealed record PairResult(
    string ArticleId,
    string ModelId,
    string Status,
    int Attempts,
    long? LatencyMs,
    string? Direction = null,
    string? Impact = null,
    double? Confidence = null,
    string? Reasoning = null,
    long? TokensIn = null,
    long? TokensOut = null,
    double? Cost = null,
    string? Error = null,
    string? Normalised = null,
    bool Transient = false);

/// <summary>What one model call adds to the model_usage ledger of its KST day.</summary>
public sealed record UsageDelta(string Day, string ModelId, int Failures, long Tokens, double Cost);

/// <summary>A model's model_usage totals for one KST day, after a call was added.</summary>
public sealed record UsageTotals(long Tokens, double Cost)
{
    public static readonly UsageTotals None = new(0, 0);
}

/// <summary>A pair already recorded for an article: whether it still needs work depends on status, attempts and transient.</summary>
public sealed record ExistingPrediction(string ArticleId, string ModelId, string Status, int Attempts, bool Transient)
{
    /// <summary>A failed pair is retried while its last failure was transient (until MaxAge) or it is under MaxAttempts.</summary>
    public bool Retryable(int maxAttempts) => Status == PredictionStatus.Failed && (Transient || Attempts < maxAttempts);
}

/// <summary>A failed pair of an already completed article, transient or still under Predictions:MaxAttempts.</summary>
public sealed record RetryablePair(Models.PendingArticle Article, string ModelId, int Attempts, bool Transient);
