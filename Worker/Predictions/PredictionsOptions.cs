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

    /// <summary>A pair deferred by an open circuit is retried until its article is this old, then closed as expired.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(2);

    /// <summary>A model's response body is read up to this many bytes; a longer answer is a failed attempt.</summary>
    public int MaxResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>The article's title and summary are cut to this many characters before they go into a prompt.</summary>
    public int MaxPromptChars { get; set; } = 4000;

    public void Validate(OptionsProblems problems)
    {
        problems.InRange(nameof(BatchSize), BatchSize, 1, 1_000);
        problems.InRange(nameof(MaxConcurrentArticles), MaxConcurrentArticles, 1, 64);
        problems.InRange(nameof(MaxAttempts), MaxAttempts, 1, 20);
        problems.InRange(nameof(MaxAge), MaxAge, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
        problems.InRange(nameof(MaxResponseBytes), MaxResponseBytes, 4 * 1024, 64 * 1024 * 1024);
        problems.InRange(nameof(MaxPromptChars), MaxPromptChars, 200, 200_000);
        problems.InRange(nameof(MaxRetryAfter), MaxRetryAfter, TimeSpan.Zero, TimeSpan.FromMinutes(5));
    }
}
