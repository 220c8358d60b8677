using KrxSignal.Worker.Signals;

namespace KrxSignal.Worker.Tests.Signals;

public sealed class ConsensusCalculatorTests
{
    private static readonly ImpactWeightsOptions Weights = new();

    [Fact]
    public void Compute_MixedVotes_WeightedMeanOfConfidenceTimesImpact()
    {
        // up high 0.8 → +0.8 of 0.8; up medium 0.5 → +0.3 of 0.3; neutral low 1.0 → 0 of 0.3.
        // score = (0.8 + 0.3 + 0) / (0.8 + 0.3 + 0.3) = 1.1 / 1.4 = 0.785714…
        var result = ConsensusCalculator.Compute(
            [
                new PredictionVote("005930", "lexicon", "up", "high", 0.8),
                new PredictionVote("005930", "sentiment", "up", "medium", 0.5),
                new PredictionVote("005930", "gpt", "neutral", "low", 1.0),
            ],
            Weights);

        var c = result.Should().ContainSingle().Subject;
        c.Score.Should().BeApproximately(1.1 / 1.4, 1e-12);
        (c.Votes, c.Models, c.Up, c.Down, c.Neutral).Should().Be((3, 3, 2, 0, 1));
    }

    [Fact]
    public void Compute_NeutralVotes_PullScoreTowardZero()
    {
        // up high 0.9 (w 0.9) and neutral high 0.9 (w 0.9): 0.9 / 1.8 = 0.5 exactly.
        var twoVotes = ConsensusCalculator.Compute(
            [new PredictionVote("A", "m1", "up", "high", 0.9), new PredictionVote("A", "m2", "neutral", "high", 0.9)], Weights);

        // one more neutral, low 0.5 (w 0.15): 0.9 / 1.95 = 0.461538…
        var threeVotes = ConsensusCalculator.Compute(
            [
                new PredictionVote("A", "m1", "up", "high", 0.9),
                new PredictionVote("A", "m2", "neutral", "high", 0.9),
                new PredictionVote("A", "m3", "neutral", "low", 0.5),
            ],
            Weights);

        twoVotes.Single().Score.Should().Be(0.5);
        threeVotes.Single().Score.Should().BeApproximately(0.9 / 1.95, 1e-12);
    }

    [Fact]
    public void Compute_DownVotes_NegativeScorePerTicker()
    {
        // down high 1.0 (w 1.0), down medium 0.5 (w 0.3), up low 0.2 (w 0.06): (-1.0 - 0.3 + 0.06) / 1.36 = -0.911764…
        var result = ConsensusCalculator.Compute(
            [
                new PredictionVote("B", "m1", "down", "high", 1.0),
                new PredictionVote("B", "m2", "down", "medium", 0.5),
                new PredictionVote("B", "m1", "up", "low", 0.2),
                new PredictionVote("C", "m1", "up", "low", 0.5),
            ],
            Weights);

        result.Select(c => c.Ticker).Should().Equal("B", "C");
        result[0].Score.Should().BeApproximately(-1.24 / 1.36, 1e-12);
        result[0].Models.Should().Be(2);
        result[1].Score.Should().Be(1.0);
    }

    [Fact]
    public void Compute_AllWeightsZero_ScoreZero()
    {
        var result = ConsensusCalculator.Compute([new PredictionVote("A", "m1", "up", "high", 0.0), new PredictionVote("A", "m2", "down", "low", 0.0)], Weights);

        result.Single().Score.Should().Be(0.0);
    }
}
