using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Health;

internal sealed class HeartbeatOptions : IValidatedOptions
{
    public static string Section => "Heartbeat";

    public string Path { get; set; } = "data/heartbeat.json";

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A job failing this many runs in a row turns the heartbeat unhealthy; one failure makes it degraded.</summary>
    public int UnhealthyAfterFailures { get; set; } = 3;

    public void Validate(OptionsProblems problems)
    {
        problems.InRange(nameof(UnhealthyAfterFailures), UnhealthyAfterFailures, 1, 100);
        problems.Required(nameof(Path), Path);
        problems.InRange(nameof(Interval), Interval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
    }
}
