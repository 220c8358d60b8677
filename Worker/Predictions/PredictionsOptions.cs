using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Predictions;

public sealed class PredictionsOptions : IValidatedOptions
{
    public static string Section => "Predictions";

    public int BatchSize { get; set; } = 20;

    public int MaxConcurrentArticles { get; set; } = 8;

    public int MaxAttempts { get; set; } = 3;

    public void Validate(OptionsProblems problems)
    {
        problems.InRange(nameof(BatchSize), BatchSize, 1, 1_000);
        problems.InRange(nameof(MaxConcurrentArticles), MaxConcurrentArticles, 1, 64);
        problems.InRange(nameof(MaxAttempts), MaxAttempts, 1, 20);
    }
}
