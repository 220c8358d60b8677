namespace KrxSignal.Worker.Predictions.Models;

/// <summary>
/// One kind of prediction model, chosen by <see cref="ModelOptions.Provider"/>. A configured model is an
/// instance of a provider: the fan-out calls <see cref="PredictAsync"/> with that model's options.
/// </summary>
public interface IPredictionModel
{
    /// <summary>"lexicon", "sentiment" or "openai": the value of Models:N:Provider this implements.</summary>
    string Provider { get; }

    /// <exception cref="ModelFailedException">The model answered badly or not at all; the reason goes into the row.</exception>
    Task<ModelAnswer> PredictAsync(ModelOptions model, PendingArticle article, CancellationToken cancellationToken);
}

/// <summary>An article waiting for predictions, as the models see it.</summary>
public sealed record PendingArticle(string Id, string Ticker, string Title, string? Summary, double? Sentiment, DateTimeOffset PublishedAt);

/// <param name="Direction">up, down or neutral (the CHECK constraint of predictions.direction).</param>
/// <param name="Impact">high, medium or low.</param>
/// <param name="Confidence">0..1.</param>
public sealed record ModelAnswer(string Direction, string Impact, double Confidence, string Reasoning, int? TokensIn = null, int? TokensOut = null)
{
    /// <summary>What the tolerant reader changed to make the reply valid ("code fence removed; direction positive→up"); null for a clean answer.</summary>
    public string? Normalised { get; init; }

    public static readonly IReadOnlySet<string> Directions = new HashSet<string>(StringComparer.Ordinal) { "up", "down", "neutral" };

    public static readonly IReadOnlySet<string> Impacts = new HashSet<string>(StringComparer.Ordinal) { "high", "medium", "low" };
}

/// <summary>A model call that produced no usable answer.</summary>
/// <param name="reason">Short, operator-readable, never containing a key.</param>
/// <param name="transient">Worth retrying within this run (429, 5xx, connection trouble); invalid output is not.</param>
/// <param name="retryAfter">What the server asked us to wait, before clamping.</param>
public sealed class ModelFailedException(string reason, bool transient = false, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(reason, inner)
{
    public bool Transient { get; } = transient;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
