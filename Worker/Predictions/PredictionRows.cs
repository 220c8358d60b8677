namespace KrxSignal.Worker.Predictions;

/// <summary>One predictions row as written: status ok, failed or skipped.</summary>
public sealed record PredictionRow(
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
    string? Error = null)
{
    public const string Ok = "ok";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

/// <summary>What one model call adds to the model_usage ledger of its KST day.</summary>
public sealed record UsageDelta(string Day, string ModelId, int Failures, long Tokens, double Cost);

/// <summary>A pair already recorded for an article: whether it still needs work depends on status and attempts.</summary>
public sealed record ExistingPrediction(string ArticleId, string ModelId, string Status, int Attempts);
