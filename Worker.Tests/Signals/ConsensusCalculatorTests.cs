using KrxSignal.Worker.Signals;

namespace KrxSignal.Worker.Tests.Signals;

public sealed class ConsensusCalculatorTests
{
    private static readonly ImpactWeightsOptions Weights = new();

    [Fact]
    public void Compute_MixedVotes_ConfidenceWeightedByImpactOverTotalImpact()
    {
        // up high 0.8 → +0.8·1.0; up medium 0.5 → +0.5·0.6; neutral low 1.0 → 0·0.3.
        // score = (0.8 + 0.3 + 0) / (1.0 + 0.6 + 0.3) = 1.1 / 1.9 = 0.578947…
        var result = ConsensusCalculator.Compute(
            [
                new PredictionVote("005930", "lexicon", "up", "high", 0.8),
                new PredictionVote("005930", "sentiment", "up", "medium", 0.5),
                new PredictionVote("005930", "gpt", "neutral", "low", 1.0),
            ],
            Weights);

        var c = result.Should().ContainSingle().Subject;
        c.Score.Should().BeApproximately(1.1 / 1.9, 1e-12);
        (c.Votes.Count, c.Models, c.Up, c.Down, c.Neutral).Should().Be((3, 3, 2, 0, 1));
        c.StrongestVote.Should().Be(1.0);
    }

    [Fact]
    public void Compute_NeutralVotes_PullScoreTowardZero()
    {
        // up high 0.9 (w 1.0) and neutral high 0.9 (w 1.0): 0.9 / 2.0 = 0.45.
        var twoVotes = ConsensusCalculator.Compute(
            [new PredictionVote("A", "m1", "up", "high", 0.9), new PredictionVote("A", "m2", "neutral", "high", 0.9)], Weights);

        // one more neutral, low 0.5 (w 0.3): 0.9 / 2.3 = 0.391304…
        var threeVotes = ConsensusCalculator.Compute(
            [
                new PredictionVote("A", "m1", "up", "high", 0.9),
                new PredictionVote("A", "m2", "neutral", "high", 0.9),
                new PredictionVote("A", "m3", "neutral", "low", 0.5),
            ],
            Weights);

        twoVotes.Single().Score.Should().BeApproximately(0.45, 1e-12);
        threeVotes.Single().Score.Should().BeApproximately(0.9 / 2.3, 1e-12);
    }

    [Fact]
    public void Compute_DownVotes_NegativeScorePerTicker()
    {
        // down high 1.0 (w 1.0), down medium 0.5 (w 0.6), up low 0.2 (w 0.3): (-1.0 - 0.3 + 0.06) / 1.9 = -0.652631…
        // C: one up low 0.5 vote: 0.15 / 0.3 = 0.5, its own confidence.
        var result = ConsensusCalculator.Compute(
            [
                new PredictionVote("B", "m1", "down", "high", 1.0),
                new PredictionVote("B", "m2", "down", "medium", 0.5),
                new PredictionVote("B", "m1", "up", "low", 0.2),
                new PredictionVote("C", "m1", "up", "low", 0.5),
            ],
            Weights);

        result.Select(c => c.Ticker).Should().Equal("B", "C");
        result[0].Score.Should().BeApproximately(-1.24 / 1.9, 1e-12);
        result[0].Models.Should().Be(2);
        result[1].Score.Should().BeApproximately(0.5, 1e-12);
    }

    [Fact]
    public void Compute_AllConfidencesZero_ScoreZero()
    {
        var result = ConsensusCalculator.Compute([new PredictionVote("A", "m1", "up", "high", 0.0), new PredictionVote("A", "m2", "down", "low", 0.0)], Weights);

        result.Single().Score.Should().Be(0.0);
    }

    [Fact]
    public void Compute_AllWeightsZero_ScoreZero()
    {
        var none = new ImpactWeightsOptions { High = 0, Medium = 0, Low = 0 };

        var result = ConsensusCalculator.Compute([new PredictionVote("A", "m1", "up", "high", 0.9), new PredictionVote("A", "m2", "up", "low", 0.8)], none);

        result.Single().Score.Should().Be(0.0);
    }

    [Fact]
    public void Compute_TwoHesitantUpVotes_HesitantScoreNotCertainty()
    {
        // The sample day's n-0003: up low 0.40 and up low 0.24 once made "confidence 1.0"; now (0.12 + 0.072) / 0.6 = 0.32.
        var result = ConsensusCalculator.Compute(
            [new PredictionVote("000660", "lexicon", "up", "low", 0.40, "n-0003"), new PredictionVote("000660", "sentiment", "up", "low", 0.24, "n-0003")], Weights);

        var c = result.Single();
        c.Score.Should().BeApproximately(0.32, 1e-12);
        c.Articles.Should().Be(1);
        SignalDecider.Decide(result, HoldingsView.From(null, SignalsTestDatabase.Start, TimeSpan.FromMinutes(30)), new SignalsOptions()).Candidates.Should().BeEmpty();
    }
}
