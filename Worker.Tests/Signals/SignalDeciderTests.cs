using Microsoft.Extensions.Time.Testing;
using KrxSignal.Worker.Signals;
using KrxSignal.Worker.StockApi;

namespace KrxSignal.Worker.Tests.Signals;

public sealed class SignalDeciderTests
{
    private static readonly DateTimeOffset Now = SignalsTestDatabase.Start;
    private static readonly TimeSpan MaxStale = TimeSpan.FromMinutes(30);
    private static readonly SignalsOptions Options = new();

    [Fact]
    public void Decide_QuorumNotMet_NoSignal()
    {
        // Two strong up votes, but from one model: a quorum of two distinct models is not met.
        var consensus = ConsensusCalculator.Compute(
            [new PredictionVote("A", "lexicon", "up", "high", 1.0), new PredictionVote("A", "lexicon", "up", "high", 0.9)], Options.Weights);

        var decision = SignalDecider.Decide(consensus, Holdings("A"), Options);

        decision.Candidates.Should().BeEmpty();
        decision.Refusals.Should().BeEmpty();
        decision.BelowQuorum.Should().Be(1);
    }

    [Fact]
    public void Decide_SellForUnheldTicker_Refused()
    {
        var consensus = ConsensusCalculator.Compute(
            [new PredictionVote("B", "m1", "down", "high", 0.9), new PredictionVote("B", "m2", "down", "medium", 0.8)], Options.Weights);

        var decision = SignalDecider.Decide(consensus, Holdings("A"), Options);

        decision.Candidates.Should().BeEmpty();
        decision.Refusals.Should().ContainSingle().Which.Reason.Should().Contain("not held");
    }

    [Fact]
    public void Decide_SellForHeldTicker_SellWithConfidenceAbsScore()
    {
        // down high 0.9 (w 1.0), down medium 0.8 (w 0.6), up low 0.5 (w 0.3): (-0.9 - 0.48 + 0.15) / 1.9 = -0.647368…
        var consensus = ConsensusCalculator.Compute(
            [
                new PredictionVote("B", "m1", "down", "high", 0.9),
                new PredictionVote("B", "m2", "down", "medium", 0.8),
                new PredictionVote("B", "m3", "up", "low", 0.5),
            ],
            Options.Weights);

        var decision = SignalDecider.Decide(consensus, Holdings("B"), Options);

        var sell = decision.Candidates.Should().ContainSingle().Subject;
        sell.Action.Should().Be("sell");
        sell.Score.Should().BeApproximately(-1.23 / 1.9, 1e-12);
        sell.Confidence.Should().BeApproximately(1.23 / 1.9, 1e-12);
    }

    [Fact]
    public void Decide_SellWithStalePortfolio_RefusedSayingHowOld()
    {
        var consensus = ConsensusCalculator.Compute(
            [new PredictionVote("B", "m1", "down", "high", 0.9), new PredictionVote("B", "m2", "down", "high", 0.9)], Options.Weights);
        var stale = View(Portfolio(Now.AddMinutes(-45), "B"));

        var decision = SignalDecider.Decide(consensus, stale, Options);

        decision.Candidates.Should().BeEmpty();
        decision.Refusals.Single().Reason.Should().Be("sell refused: portfolio 45 min old, limit 30 min");
    }

    [Fact]
    public void Decide_BuyWithoutPortfolio_BuyWhoseReasonSaysHoldingsUnchecked()
    {
        var consensus = ConsensusCalculator.Compute(
            [new PredictionVote("A", "m1", "up", "high", 0.9), new PredictionVote("A", "m2", "up", "medium", 0.7)], Options.Weights);
        var missing = View(null);

        var decision = SignalDecider.Decide(consensus, missing, Options);

        // up high 0.9 (w 1.0), up medium 0.7 (w 0.6): (0.9 + 0.42) / 1.6 = 0.825.
        var buy = decision.Candidates.Should().ContainSingle().Subject;
        buy.Action.Should().Be("buy");
        buy.Score.Should().BeApproximately(0.825, 1e-12);
        buy.Reason.Should().Contain("holdings not checked: portfolio missing");
    }

    [Fact]
    public void Decide_ScoreBelowThresholds_Nothing()
    {
        // up high 0.6 (w 1.0), down medium 0.5 (w 0.6): (0.6 - 0.3) / 1.6 = 0.1875, under the 0.45 threshold.
        var consensus = ConsensusCalculator.Compute(
            [new PredictionVote("A", "m1", "up", "high", 0.6), new PredictionVote("A", "m2", "down", "medium", 0.5)], Options.Weights);

        var decision = SignalDecider.Decide(consensus, Holdings("A"), Options);

        (decision.Candidates.Count, decision.Refusals.Count, decision.BelowQuorum).Should().Be((0, 0, 0));
    }

    private static HoldingsView Holdings(params string[] tickers) => View(Portfolio(Now.AddMinutes(-1), tickers));

    /// <summary>The holdings as the signal stage sees them: through MarketData, which judges the portfolio's age.</summary>
    internal static HoldingsView View(Fetched<Portfolio>? portfolio)
    {
        var market = new MarketData(Microsoft.Extensions.Options.Options.Create(new StockApiOptions { MaxStaleAge = MaxStale }), new FakeTimeProvider(Now));
        if (portfolio is not null)
        {
            market.Publish(portfolio);
        }

        return HoldingsView.From(market.Portfolio);
    }

    internal static Fetched<Portfolio> Portfolio(DateTimeOffset fetchedAt, params string[] tickers) => new(
        new Portfolio(fetchedAt, 1_000_000, 2_000_000, tickers.Select(t => new Holding(t, t, 10, 100m, 110m, 10.0)).ToList()),
        fetchedAt);
}
