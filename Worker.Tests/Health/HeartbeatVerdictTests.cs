using KrxSignal.Worker.Health;

namespace KrxSignal.Worker.Tests.Health;

public sealed class HeartbeatVerdictTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 19, 1, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(HealthStatus.Healthy, 10, "healthy", 0)]
    [InlineData(HealthStatus.Degraded, 10, "degraded", 1)]
    [InlineData(HealthStatus.Unhealthy, 10, "unhealthy", 2)]
    [InlineData(HealthStatus.Healthy, 46, "stale", 2)]
    [InlineData(HealthStatus.Stopped, 1, "stopped", 2)]
    public void Judge_StatusAndAge_GivesStateAndExitCode(HealthStatus status, int ageSeconds, string state, int exitCode)
    {
        var heartbeat = new HeartbeatDocument
        {
            Status = status,
            Reasons = [],
            Pid = 42,
            Version = "1",
            StartedAt = Now.AddHours(-1),
            WrittenAt = Now.AddSeconds(-ageSeconds),
            IntervalSeconds = 15,
        };

        var verdict = HeartbeatVerdict.Judge(heartbeat, Now);

        verdict.State.Should().Be(state);
        verdict.ExitCode.Should().Be(exitCode);
        verdict.Summary.Should().Contain("pid 42");
    }

    [Fact]
    public void Missing_AnyPath_ExitsTwoNamingThePath()
    {
        var verdict = HeartbeatVerdict.Missing("/var/lib/krx/heartbeat.json");

        verdict.ExitCode.Should().Be(2);
        verdict.Summary.Should().Contain("/var/lib/krx/heartbeat.json");
    }
}
