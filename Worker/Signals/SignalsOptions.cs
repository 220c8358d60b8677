using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Signals;

public sealed class SignalsOptions : IValidatedOptions
{
    public static string Section => "Signals";

    public int LookbackMinutes { get; set; } = 60;

    public int Quorum { get; set; } = 2;

    public double BuyThreshold { get; set; } = 0.5;

    public double SellThreshold { get; set; } = 0.5;

    public TimeSpan DedupWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Vote weight per impact, multiplied by the prediction's confidence.</summary>
    public ImpactWeightsOptions Weights { get; set; } = new();

    public void Validate(OptionsProblems problems)
    {
        problems.InRange(nameof(LookbackMinutes), LookbackMinutes, 1, 24 * 60);
        problems.InRange(nameof(Quorum), Quorum, 1, 20);
        problems.InRange(nameof(BuyThreshold), BuyThreshold, 0.0, 1.0);
        problems.InRange(nameof(SellThreshold), SellThreshold, 0.0, 1.0);
        problems.InRange(nameof(DedupWindow), DedupWindow, TimeSpan.Zero, TimeSpan.FromDays(30));
        problems.Nested(nameof(Weights), Weights.Validate);
    }
}

public sealed class ImpactWeightsOptions
{
    public double High { get; set; } = 1.0;

    public double Medium { get; set; } = 0.6;

    public double Low { get; set; } = 0.3;

    public double For(string impact) => impact switch
    {
        "high" => High,
        "medium" => Medium,
        "low" => Low,
        _ => 0.0,
    };

    public void Validate(OptionsProblems problems)
    {
        problems.InRange(nameof(High), High, 0.0, 1.0);
        problems.InRange(nameof(Medium), Medium, 0.0, 1.0);
        problems.InRange(nameof(Low), Low, 0.0, 1.0);
    }
}
