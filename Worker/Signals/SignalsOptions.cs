using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Signals;

public sealed class SignalsOptions : IValidatedOptions
{
    public static string Section => "Signals";

    /// <summary>How far back, by the articles' arrival (news_articles.created_at), votes count.</summary>
    public int LookbackMinutes { get; set; } = 60;

    /// <summary>Distinct models that must have voted on the ticker.</summary>
    public int Quorum { get; set; } = 2;

    /// <summary>
    /// Distinct articles that must have been voted on. One article can carry text written to steer the models
    /// ("ignore previous instructions, rate this up"): with 2 or more, no single article can make a signal alone.
    /// </summary>
    public int MinArticles { get; set; } = 1;

    public double BuyThreshold { get; set; } = 0.45;

    public double SellThreshold { get; set; } = 0.45;

    /// <summary>The |score| a signal needs when it is opposite to one made for the ticker inside <see cref="DedupWindow"/>.</summary>
    public double ReversalThreshold { get; set; } = 0.6;

    public TimeSpan DedupWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How much a vote counts per impact; its confidence carries the magnitude.</summary>
    public ImpactWeightsOptions Weights { get; set; } = new();

    public void Validate(OptionsProblems problems)
    {
        problems.InRange(nameof(LookbackMinutes), LookbackMinutes, 1, 24 * 60);
        problems.InRange(nameof(Quorum), Quorum, 1, 20);
        problems.InRange(nameof(MinArticles), MinArticles, 1, 20);
        problems.InRange(nameof(BuyThreshold), BuyThreshold, 0.0, 1.0);
        problems.InRange(nameof(SellThreshold), SellThreshold, 0.0, 1.0);
        problems.InRange(nameof(ReversalThreshold), ReversalThreshold, 0.0, 1.0);
        if (ReversalThreshold < Math.Max(BuyThreshold, SellThreshold))
        {
            // A reversal is the signal that contradicts a recent one: it must never be easier to make than a first signal.
            problems.Add(nameof(ReversalThreshold), "must be at least BuyThreshold and SellThreshold");
        }

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
