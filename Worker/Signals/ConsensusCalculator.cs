namespace KrxSignal.Worker.Signals;

/// <summary>
/// score = Σ direction·confidence·w / Σ w, with w the impact weight of each vote. The confidence carries the
/// magnitude and the impact only decides how much a vote counts, so two hesitant "up" votes make a hesitant
/// score (0.4 and 0.24 at equal weight give 0.32, not 1.0), and |score| can never exceed the most confident
/// vote: it is a weighted mean of numbers no larger than that. Pure, so it is tested by hand and by generated sets.
/// </summary>
public static class ConsensusCalculator
{
    public static IReadOnlyList<TickerConsensus> Compute(IEnumerable<PredictionVote> votes, ImpactWeightsOptions weights) =>
        votes.GroupBy(v => v.Ticker, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => ForTicker(g.Key, g.ToList(), weights))
            .ToList();

    private static TickerConsensus ForTicker(string ticker, List<PredictionVote> votes, ImpactWeightsOptions weights)
    {
        double weighted = 0, total = 0;
        foreach (var vote in votes)
        {
            var weight = weights.For(vote.Impact);
            weighted += vote.Sign * vote.Confidence * weight;
            total += weight;
        }

        var strongest = votes.Count == 0 ? 0.0 : votes.Max(v => v.Confidence);

        // The clamp only guards rounding: a weighted mean cannot leave [-strongest, strongest].
        var score = total > 0 ? Math.Clamp(weighted / total, -strongest, strongest) : 0.0;
        var models = votes.Select(v => v.ModelId).Distinct(StringComparer.Ordinal).Count();
        var articles = votes.Select(v => v.ArticleId).Distinct(StringComparer.Ordinal).Count();
        return new TickerConsensus(ticker, score, votes, models, articles, strongest);
    }
}
