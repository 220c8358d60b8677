using KrxSignal.Worker.Calendar;
using static KrxSignal.Worker.Tests.Calendar.TestCalendars;

namespace KrxSignal.Worker.Tests.Calendar;

public sealed class MarketCalendarTests
{
    [Theory]
    [InlineData(2026, 11, 18, 6, 59, "closed")]
    [InlineData(2026, 11, 18, 7, 0, "pre-market")]
    [InlineData(2026, 11, 18, 8, 59, "pre-market")]
    [InlineData(2026, 11, 18, 9, 0, "regular")]
    [InlineData(2026, 11, 18, 15, 29, "regular")]
    [InlineData(2026, 11, 18, 15, 30, "post-market")]
    [InlineData(2026, 11, 18, 19, 59, "post-market")]
    [InlineData(2026, 11, 18, 20, 0, "closed")]
    [InlineData(2026, 11, 19, 9, 30, "pre-market")] // exam day: opens at 10:00
    [InlineData(2026, 11, 19, 16, 15, "regular")]
    [InlineData(2026, 11, 19, 16, 30, "post-market")]
    [InlineData(2026, 1, 2, 9, 59, "pre-market")] // first trading day
    [InlineData(2026, 12, 31, 10, 0, "closed")]
    [InlineData(2026, 11, 21, 10, 0, "closed")] // Saturday
    public void PhaseAt_KstInstant_FollowsTheSession(int year, int month, int day, int hour, int minute, string phase) =>
        Shipped.PhaseAt(At(year, month, day, hour, minute)).Should().Be(phase);

    [Fact]
    public void PhaseAt_UtcInstant_IsJudgedInKst()
    {
        // 2026-11-18 00:30 UTC is 09:30 KST.
        Shipped.PhaseAt(new DateTimeOffset(2026, 11, 18, 0, 30, 0, TimeSpan.Zero)).Should().Be(MarketWindows.Regular);
    }

    [Fact]
    public void CoverageAt_CoveredYearFarFromItsEnd_HasNoWarnings()
    {
        var coverage = Shipped.CoverageAt(At(2026, 6, 1));

        coverage.CurrentYearMissing.Should().BeFalse();
        coverage.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void CoverageAt_Within30DaysOfAnUncoveredYear_Warns()
    {
        var coverage = Shipped.CoverageAt(At(2027, 12, 10));

        coverage.CurrentYearMissing.Should().BeFalse();
        coverage.Warnings.Should().ContainSingle().Which.Should().Contain("does not cover 2028");
    }

    [Fact]
    public void CoverageAt_CurrentYearMissing_ReportsIt()
    {
        var coverage = Shipped.CoverageAt(At(2028, 3, 1));

        coverage.CurrentYearMissing.Should().BeTrue();
        coverage.Warnings.Should().ContainSingle().Which.Should().Contain("does not cover 2028");
    }
}
