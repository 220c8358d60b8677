using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Predictions;

public sealed class PredictionsOptions : IValidatedOptions
{
    public static string Section => "Predictions";

    public int BatchSize { get; set; } = 20;

    public int MaxConcurrentArticles { get; set; } = 8;

    /// <summary>Runs that may try a failed (article, model) pair; the count is kept in predictions.attempts.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The longest wait a model's Retry-After may impose before a retry (the header is not capped otherwise).</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    public void Validate(OptionsProblems problems)
    {
        problems.InRange(nameof(BatchSize), BatchSize, 1, 1_000);
        problems.InRange(nameof(MaxConcurrentArticles), MaxConcurrentArticles, 1, 64);
        problems.InRange(nameof(MaxAttempts), MaxAttempts, 1, 20);
        problems.InRange(nameof(MaxRetryAfter), MaxRetryAfter, TimeSpan.Zero, TimeSpan.FromMinutes(5));
    }
}
