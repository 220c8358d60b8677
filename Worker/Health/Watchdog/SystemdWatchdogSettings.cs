using System.Globalization;

namespace KrxSignal.Worker.Health.Watchdog;

/// <summary>
/// Whether systemd expects watchdog pings, read the way sd_watchdog_enabled(3) does: WATCHDOG_USEC is the
/// timeout in microseconds, and WATCHDOG_PID, when set, must be this process (a child inherits neither duty).
/// </summary>
internal sealed record SystemdWatchdogSettings(TimeSpan? Timeout)
{
    public static SystemdWatchdogSettings Disabled { get; } = new((TimeSpan?)null);

    public bool Enabled => Timeout is not null;

    /// <summary>systemd recommends pinging at half the timeout, so one late ping is not fatal.</summary>
    public TimeSpan? PingInterval => Timeout / 2;

    public static SystemdWatchdogSettings FromEnvironment() =>
        Parse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);

    public static SystemdWatchdogSettings Parse(string? watchdogUsec, string? watchdogPid, int processId)
    {
        if (!ulong.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds == 0)
        {
            return Disabled;
        }

        if (!string.IsNullOrEmpty(watchdogPid)
            && (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid != processId))
        {
            return Disabled;
        }

        // TimeSpan ticks are 100 ns; clamp absurd values rather than overflow.
        var ticks = microseconds > (ulong)(TimeSpan.MaxValue.Ticks / 10) ? TimeSpan.MaxValue.Ticks : (long)microseconds * 10;
        return new SystemdWatchdogSettings(TimeSpan.FromTicks(ticks));
    }
}
