using System.Globalization;
using KrxSignal.Worker.Tests.Reliability;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Hosting;

/// <summary>What reaches the log, from the real binary: only the daemon writes its files, in one format, one line per record.</summary>
public sealed class LogProcessTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly WorkerInstall _shared = WorkerInstall.Shared;
    private readonly TempFolder _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task OneShotCommands_ReplayScheduleDoctorExport_LeaveTheDaemonsLogsUntouched()
    {
        using var install = WorkerInstall.Private(); // the test checks what lands in the install's default log folder
        var logs = _state.File("logs");
        Directory.CreateDirectory(logs);
        const string daemonLine = "2026-11-20T09:00:00.000+09:00 INFO  [1] KrxSignal.Worker.Hosting.StartupReport: the daemon's own line\n";
        await System.IO.File.WriteAllTextAsync(Path.Combine(logs, "worker.log"), daemonLine);
        var shortDay = _state.File("short-day.jsonl");
        await System.IO.File.WriteAllLinesAsync(shortDay, (await System.IO.File.ReadAllLinesAsync(Repository.SampleDay)).Take(300));
        var environment = Environment(logs);

        var replay = await WorkerProcess.RunAsync(install.Path, ["replay", shortDay, "--db", _state.File("replay.db")], environment);
        var schedule = await WorkerProcess.RunAsync(install.Path, ["schedule", "--from", "2026-11-19", "--to", "2026-11-20"], environment);
        var doctor = await WorkerProcess.RunAsync(install.Path, ["doctor"], environment);
        var export = await WorkerProcess.RunAsync(install.Path, ["export-recording", "--day", "2026-11-20"], environment);

        replay.ExitCode.Should().Be(0, replay.StandardError);
        replay.StandardError.Should().Contain("poll", "a replay still logs, on the console");
        schedule.ExitCode.Should().Be(0, schedule.StandardError);
        doctor.StandardOutput.Should().Contain("config");
        export.ExitCode.Should().Be(2, export.StandardError);
        Directory.GetFiles(logs).Select(Path.GetFileName).Should().Equal("worker.log");
        (await System.IO.File.ReadAllTextAsync(Path.Combine(logs, "worker.log"))).Should().Be(daemonLine);
        Directory.Exists(install.File("logs")).Should().BeFalse("nothing is written to the default log folder either");
    }

    [LinuxFact("sends SIGTERM")]
    public async Task Run_Daemon_EveryLogFileRecordStartsWithIso8601AndItsOffset()
    {
        var logs = _state.File("logs");
        await using (var worker = WorkerProcess.Start(_shared.Path, ["run"], Environment(logs)))
        {
            await worker.WaitForOutputAsync("Polling is off", StartTimeout);
            worker.Terminate();
            (await worker.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        }

        var records = (await System.IO.File.ReadAllLinesAsync(Path.Combine(logs, "worker.log"))).Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0])).ToList();
        records.Should().Contain(l => l.Contains("started (pid", StringComparison.Ordinal));
        foreach (var record in records)
        {
            var stamp = record.Split(' ')[0];
            DateTimeOffset.TryParseExact(stamp, "yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
                .Should().BeTrue($"'{record}' starts with an ISO 8601 time and offset");
            parsed.Offset.Should().Be(TimeSpan.FromHours(9));
        }
    }

    [LinuxFact("sends SIGTERM")]
    public async Task Run_UnderSystemdJournal_ConsoleLinesCarryTheirSyslogPriority()
    {
        var environment = Environment(_state.File("logs"));
        environment["JOURNAL_STREAM"] = "8:41234";
        await using var worker = WorkerProcess.Start(_shared.Path, ["run"], environment);
        await worker.WaitForOutputAsync("Polling is off", StartTimeout);
        worker.Terminate();
        await worker.WaitForExitAsync(TimeSpan.FromSeconds(10));

        var lines = worker.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Contain(l => l.StartsWith("<6>", StringComparison.Ordinal) && l.Contains("started (pid", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("<4>", StringComparison.Ordinal) && l.Contains("Polling is off", StringComparison.Ordinal));
        lines.Should().OnlyContain(l => l.StartsWith('<'), "journald reads the level of every line");
    }

    [Fact]
    public async Task PollOnce_NewlineLadenArticleId_ForgesNoLogLine()
    {
        using var scenario = new ProcessScenario();
        scenario.ServeUpstream([new NewsArticle(LogFormatTests.Forged, "005930", "삼성전자\n2026-11-20T09:14:01.000+09:00 CRITICAL title", 0.9)]);

        var (exitCode, stdout, stderr) = await scenario.RunAsync(scenario.Environment(), "poll-once");

        exitCode.Should().BeOneOf([0, 1], stdout + stderr);
        stderr.Should().Contain(@"n-1\n2026-11-20T09:14:00.000+09:00 CRITICAL", "the id is logged, escaped");
        var lines = (stdout + stderr).Split('\n');
        lines.Should().NotContain(l => l.Contains("CRITICAL", StringComparison.Ordinal) && !l.Contains(@"\n", StringComparison.Ordinal), "no line is the forged one");
        lines.Should().NotContain(l => l.StartsWith("2026-11-20T09:14:0", StringComparison.Ordinal));
        (stdout + stderr).Should().NotContain("\u001b");
    }

    private Dictionary<string, string?> Environment(string logs) => new()
    {
        ["Storage__DatabasePath"] = _state.File("worker.db"),
        ["Heartbeat__Path"] = _state.File("heartbeat.json"),
        ["Logs__Directory"] = logs,
    };
}
