using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Health.Watchdog;

internal sealed class WatchdogOptions : IValidatedOptions
{
    public static string Section => "Watchdog";

    /// <summary>
    /// How often liveness is checked when systemd's watchdog is off; under systemd the ping cadence (half of WatchdogSec)
    /// is used. 30 s is that cadence for the shipped unit, and a tenth of SelfRestartAfter: finer would only wake an
    /// idle daemon more often.
    /// </summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Without a systemd watchdog (Windows, or a unit without WatchdogSec), a daemon wedged this long exits
    /// with code 70 so the service manager's recovery restarts it. Zero turns this off.
    /// </summary>
    public TimeSpan SelfRestartAfter { get; set; } = TimeSpan.FromMinutes(3);

    public void Validate(OptionsProblems problems)
    {
        problems.InRange(nameof(CheckInterval), CheckInterval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        problems.InRange(nameof(SelfRestartAfter), SelfRestartAfter, TimeSpan.Zero, TimeSpan.FromDays(1));
    }
}
