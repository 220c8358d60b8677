using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Health;

internal sealed class HeartbeatOptions : IValidatedOptions
{
    public static string Section => "Heartbeat";

    public string Path { get; set; } = "data/heartbeat.json";

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    public void Validate(OptionsProblems problems)
    {
        problems.Required(nameof(Path), Path);
        problems.InRange(nameof(Interval), Interval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
    }
}
