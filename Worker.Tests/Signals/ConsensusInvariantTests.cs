using KrxSignal.Worker.Signals;

namespace KrxSignal.Worker.Tests.Signals;

public sealed class ConsensusInvariantTests
{
    private static readonly string[] Directions = ["up", "down", "neutral"];
    private static readonly string[] Impacts = ["high", "medium", "low"];

    [Fact]
    public void Compute_TwentyThousandGeneratedVoteSets_NeverMoreConfidentThanTheStrongestVote()
    {
        // Seeded: a failure names the set, and the same sets come back on every run.
        var random = new Random(20261120);
        var checkedSets = 0;
        for (var set = 0; set < 20_000; set++)
        {
            var weights = set % 4 == 0
                ? new ImpactWeightsOptions { High = random.NextDouble(), Medium = random.NextDouble(), Low = random.NextDouble() }
                : new ImpactWeightsOptions();
            var votes = Enumerable.Range(0, random.Next(1, 13))
                .Select(i => new PredictionVote(
                    "T", $"m{random.Next(4)}", Directions[random.Next(3)], Impacts[random.Next(3)],
                    // Whole range, with the edges 0 and 1 as likely as anything else.
                    random.Next(10) switch { 0 => 0.0, 1 => 1.0, _ => random.NextDouble() },
                    $"a{random.Next(5)}"))
                .ToList();

            var c = ConsensusCalculator.Compute(votes, weights).Single();

            var strongest = votes.Max(v => v.Confidence);
            Math.Abs(c.Score).Should().BeLessThanOrEqualTo(strongest, $"set {set}: {string.Join(", ", votes)}");
            c.StrongestVote.Should().Be(strongest);
            if (votes.All(v => v.Sign >= 0))
            {
                c.Score.Should().BeGreaterThanOrEqualTo(0, $"set {set} has no down vote");
            }

            if (votes.All(v => v.Sign <= 0))
            {
                c.Score.Should().BeLessThanOrEqualTo(0, $"set {set} has no up vote");
            }

            checkedSets++;
        }

        checkedSets.Should().Be(20_000);
    }

    [Fact]
    public void Decide_GeneratedVoteSets_SignalConfidenceNeverAboveStrongestVote()
    {
        var random = new Random(42);
        var options = new SignalsOptions { Quorum = 1 };
        var holdings = HoldingsView.From(SignalDeciderTests.Portfolio(SignalsTestDatabase.Start, "T"), SignalsTestDatabase.Start, TimeSpan.FromMinutes(30));
        var signals = 0;
        for (var set = 0; set < 5_000; set++)
        {
            var votes = Enumerable.Range(0, random.Next(1, 8))
                .Select(i => new PredictionVote("T", $"m{i}", Directions[random.Next(2)], Impacts[random.Next(3)], random.NextDouble(), $"a{i}"))
                .ToList();

            var decision = SignalDecider.Decide(ConsensusCalculator.Compute(votes, options.Weights), holdings, options);

            foreach (var candidate in decision.Candidates)
            {
                candidate.Confidence.Should().BeLessThanOrEqualTo(votes.Max(v => v.Confidence), $"set {set}");
                signals++;
            }
        }

        signals.Should().BeGreaterThan(100, "the generated sets must reach the thresholds often enough to test something");
    }
}
