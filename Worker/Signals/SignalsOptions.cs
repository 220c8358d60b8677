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

    public void Validate(OptionsProblems problems)
    {
        problems.InRange(nameof(LookbackMinutes), LookbackMinutes, 1, 24 * 60);
        problems.InRange(nameof(Quorum), Quorum, 1, 20);
        problems.InRange(nameof(BuyThreshold), BuyThreshold, 0.0, 1.0);
        problems.InRange(nameof(SellThreshold), SellThreshold, 0.0, 1.0);
        problems.InRange(nameof(DedupWindow), DedupWindow, TimeSpan.Zero, TimeSpan.FromDays(30));
    }
}
