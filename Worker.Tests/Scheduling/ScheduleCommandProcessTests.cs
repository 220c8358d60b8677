using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Scheduling;

/// <summary>`Worker schedule` as an operator runs it, under three host time zones.</summary>
public sealed class ScheduleCommandProcessTests : IDisposable
{
    private readonly WorkerInstall _install = WorkerInstall.Shared;
    private readonly TempFolder _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Schedule_Csv2026UnderThreeHostTimeZones_IsByteIdenticalWithOneRowPerPoll()
    {
        string[] args = ["schedule", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "csv"];
        var outputs = new List<string>();
        foreach (var zone in new[] { "UTC", "Asia/Seoul", "America/Los_Angeles" })
        {
            var (exitCode, stdout, stderr) = await WorkerProcess.RunAsync(_install.Path, args, new Dictionary<string, string?> { ["TZ"] = zone });
            exitCode.Should().Be(0, stderr);
            outputs.Add(stdout);
        }

        outputs[1].Should().Be(outputs[0]);
        outputs[2].Should().Be(outputs[0]);
        var rows = outputs[0].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        rows.Should().HaveCount(114_144, "242 normal days x 468 + 420 on 2026-01-02 + 468 on 2026-11-19");
        rows[0].Should().Be("2026-01-02T07:00:00+09:00,pre-market");
        rows.Should().Contain("2026-11-19T07:00:00+09:00,pre-market")
            .And.Contain("2026-11-19T16:29:00+09:00,regular")
            .And.Contain("2026-11-19T16:30:00+09:00,post-market")
            .And.NotContain("2026-11-19T09:00:00+09:00,regular");
        rows[^1].Should().Be("2026-12-30T19:55:00+09:00,post-market");
    }

    [Fact]
    public async Task Schedule_MalformedCalendar_Exits78NamingFileAndLine()
    {
        var path = _state.File("holidays.json");
        await File.WriteAllTextAsync(path, "{\n  \"years\": {\n    \"2026\": { \"closed\": [ { \"date\": \"2026-13-01\", \"name\": \"x\" } ] }\n  }\n}\n");

        var (exitCode, _, stderr) = await WorkerProcess.RunAsync(
            _install.Path, ["schedule", "--from", "2026-01-01", "--to", "2026-01-02"], new Dictionary<string, string?> { ["Calendar__HolidaysFile"] = path });

        exitCode.Should().Be(78);
        stderr.Trim().Should().Be($"Configuration error: {path} line 3: \"2026-13-01\" is not a date (yyyy-MM-dd)");
    }

    [Fact]
    public async Task Run_MalformedCalendar_StopsStartUpWithExit78()
    {
        var path = _state.File("holidays.json");
        await File.WriteAllTextAsync(path, "{ \"years\": { \"2026\": { \"clsoed\": [] } } }");

        var (exitCode, _, stderr) = await WorkerProcess.RunAsync(_install.Path, ["run"], new Dictionary<string, string?>
        {
            ["Calendar__HolidaysFile"] = path,
            ["Storage__DatabasePath"] = _state.File("data/worker.db"),
            ["Heartbeat__Path"] = _state.File("data/heartbeat.json"),
            ["Logs__Directory"] = _state.File("logs"),
        });

        exitCode.Should().Be(78);
        stderr.Should().Contain($"Configuration error: {path} line 1: unknown key \"clsoed\" in 2026");
    }
}
