using FluentAssertions;
using KrxSignal.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Tests.Hosting;

public sealed class ClockSettingTests
{
    [Fact]
    public void Create_StartAtWithRealTime_EveryProcessGetsTheSameShift()
    {
        var settings = new Dictionary<string, string?>
        {
            [ClockSetting.Key] = "2026-11-24T10:10:40+09:00",
            [ClockSetting.RealTimeKey] = "2026-12-01T15:00:00Z",
        };

        var first = (ShiftedTimeProvider)ClockSetting.Create(Configuration(settings));
        var second = (ShiftedTimeProvider)ClockSetting.Create(Configuration(settings));

        var expected = new DateTimeOffset(2026, 11, 24, 1, 10, 40, TimeSpan.Zero) - new DateTimeOffset(2026, 12, 1, 15, 0, 0, TimeSpan.Zero);
        first.Shift.Should().Be(expected);
        second.Shift.Should().Be(first.Shift, "two nodes given the same pair must not differ by how long apart they started");
    }

    [Fact]
    public void Create_RealTimeWithoutOffset_FailsNamingTheKey()
    {
        var settings = new Dictionary<string, string?>
        {
            [ClockSetting.Key] = "2026-11-24T10:10:40+09:00",
            [ClockSetting.RealTimeKey] = "2026-12-01 15:00",
        };

        var act = () => ClockSetting.Create(Configuration(settings));

        act.Should().Throw<OptionsValidationException>().WithMessage("Clock:StartAtRealTime must be an ISO 8601 instant with its offset*");
    }

    [Fact]
    public void Create_NoStartAt_IsTheSystemClockWhateverRealTimeSays()
    {
        var clock = ClockSetting.Create(Configuration(new() { [ClockSetting.RealTimeKey] = "2026-12-01T15:00:00Z" }));

        clock.Should().BeSameAs(TimeProvider.System);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
