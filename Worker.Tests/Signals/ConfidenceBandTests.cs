using KrxSignal.Worker.Signals;

namespace KrxSignal.Worker.Tests.Signals;

public sealed class ConfidenceBandTests
{
    [Fact]
    public void Count_EdgesAndExtremes_LowerEdgeIncludedTopBandHoldsOne()
    {
        var bands = ConfidenceBand.Count([0.0, 0.29, 0.3, 0.45, 0.5, 0.61, 0.61, 0.89, 0.9, 1.0]);

        bands.Select(b => (b.Label, b.Signals)).Should().Equal(
            ("0.0–0.3", 2), ("0.3–0.4", 1), ("0.4–0.5", 1), ("0.5–0.6", 1), ("0.6–0.7", 2), ("0.7–0.8", 0), ("0.8–0.9", 1), ("0.9–1.0", 2));
    }

    [Fact]
    public void Read_DetailsOfAnUnknownShape_NoVotesNoArticlesNoException()
    {
        SignalDetailsReader.Read("[1, 2]", "이름").Should().BeEquivalentTo(new SignalDetails("이름", [], []));
        SignalDetailsReader.Read("{}").Votes.Should().BeEmpty();
    }
}
