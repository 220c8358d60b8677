using KrxSignal.Worker.Hosting;

namespace KrxSignal.Worker.Health;

/// <summary>What `Worker status` concludes from a heartbeat file, and the exit code that says it.</summary>
public sealed record HeartbeatVerdict(string State, int ExitCode, string Summary, HeartbeatDocument? Heartbeat, double? AgeSeconds)
{
    /// <summary>A heartbeat older than this many intervals means the daemon is dead or hung.</summary>
    public const int StaleAfterIntervals = 3;

    public static HeartbeatVerdict Missing(string path) =>
        new("missing", ExitCodes.Failed, $"no heartbeat at {path}: the Worker is not running, or has never started with this configuration", null, null);

    public static HeartbeatVerdict Unreadable(string path, string problem) =>
        new("unreadable", ExitCodes.Failed, $"the heartbeat at {path} cannot be read: {problem}", null, null);

    public static HeartbeatVerdict Judge(HeartbeatDocument heartbeat, DateTimeOffset now)
    {
        var age = (now - heartbeat.WrittenAt).TotalSeconds;
        var ageText = FormatAge(TimeSpan.FromSeconds(Math.Max(0, age)));
        if (heartbeat.Status == HealthStatus.Stopped)
        {
            return new("stopped", ExitCodes.Failed, $"stopped {ageText} ago (pid {heartbeat.Pid})", heartbeat, age);
        }

        if (age > StaleAfterIntervals * heartbeat.IntervalSeconds)
        {
            return new("stale", ExitCodes.Failed, $"stale: last heartbeat {ageText} ago from pid {heartbeat.Pid}; the Worker is dead or hung", heartbeat, age);
        }

        var (state, code) = heartbeat.Status switch
        {
            HealthStatus.Healthy => ("healthy", ExitCodes.Ok),
            HealthStatus.Degraded => ("degraded", ExitCodes.Partial),
            _ => ("unhealthy", ExitCodes.Failed),
        };
        var uptime = FormatAge(heartbeat.WrittenAt - heartbeat.StartedAt);
        return new(state, code, $"{state}: heartbeat {ageText} ago from pid {heartbeat.Pid}, version {heartbeat.Version}, up {uptime}", heartbeat, age);
    }

    public static string FormatAge(TimeSpan age) => age switch
    {
        { TotalSeconds: < 60 } => $"{(int)age.TotalSeconds}s",
        { TotalMinutes: < 60 } => $"{(int)age.TotalMinutes}m {age.Seconds}s",
        { TotalHours: < 48 } => $"{(int)age.TotalHours}h {age.Minutes}m",
        _ => $"{(int)age.TotalDays}d {age.Hours}h",
    };
}
