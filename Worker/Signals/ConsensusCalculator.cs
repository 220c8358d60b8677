namespace KrxSignal.Worker.Signals;

/// <summary>
/// Each vote is direction (+1, 0, -1) weighted by confidence × impact weight; the score is the
/// weighted mean. Pure, so the arithmetic is tested by hand-computed numbers.
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
        int up = 0, down = 0, neutral = 0;
        foreach (var vote in votes)
        {
            var weight = vote.Confidence * weights.For(vote.Impact);
            var sign = vote.Direction switch
            {
                "up" => 1,
                "down" => -1,
                _ => 0,
            };
            _ = sign switch
            {
                1 => up++,
                -1 => down++,
                _ => neutral++,
            };
            weighted += sign * weight;
            total += weight;
        }

        var score = total > 0 ? Math.Clamp(weighted / total, -1.0, 1.0) : 0.0;
        var models = votes.Select(v => v.ModelId).Distinct(StringComparer.Ordinal).Count();
        return new TickerConsensus(ticker, score, votes.Count, models, up, down, neutral);
    }
}
