using KrxSignal.Worker.Tests.Reliability;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Security;

/// <summary>SIGHUP to the real daemon: it keeps running and takes the edited calendar.</summary>
public sealed class HangupProcessTests : IDisposable
{
    private readonly ProcessScenario _s = new();

    public void Dispose() => _s.Dispose();

    [LinuxFact("sends SIGHUP and SIGTERM")]
    public async Task Run_Sighup_KeepsRunningReloadsCalendarAndLogConfiguration()
    {
        var calendar = _s.State.File("holidays.json");
        await File.WriteAllTextAsync(calendar, """["2026-01-01", "2026-12-31"]""");
        var environment = _s.Environment();
        environment["Calendar__HolidaysFile"] = calendar;
        environment["Clock__StartAt"] = "2026-11-25T02:30:00+09:00"; // Wednesday night: the next poll is 07:00 today
        environment["Heartbeat__Interval"] = "00:00:01";
        await using var worker = _s.Start(environment, "run");
        await worker.WaitForOutputAsync("next poll 2026-11-25 07:00 KST", ProcessScenario.ProcessTimeout);
        await worker.WaitForOutputAsync("started (pid", ProcessScenario.ProcessTimeout);

        await File.WriteAllTextAsync(calendar, """["2026-01-01", "2026-11-25", "2026-12-31"]""");
        worker.Hangup();
        await worker.WaitForOutputAsync("Market calendar reloaded (SIGHUP)", ProcessScenario.ProcessTimeout);

        worker.HasExited.Should().BeFalse("SIGHUP means reload, not terminate");
        var output = worker.StandardOutput;
        output.Should().Contain("SIGHUP received: reloading nlog.config and holidays.json");
        output.Should().Contain("Log configuration reloaded from");
        output.Split('\n').Should().Contain(l => l.Contains("Market calendar reloaded (SIGHUP)", StringComparison.Ordinal) && l.Contains("next poll 2026-11-26 07:00 KST", StringComparison.Ordinal));
        await _s.WaitForHeartbeatAsync(h => h.TryGetProperty("nextPoll", out var next) && next.GetDateTimeOffset() == new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.FromHours(9)), worker, ProcessScenario.ProcessTimeout);

        worker.Terminate();
        (await worker.WaitForExitAsync(ProcessScenario.ProcessTimeout)).Should().Be(0, "it stops cleanly afterwards, as a daemon that was never hung up on");
        File.ReadAllText(Path.Combine(_s.State.File("logs"), "worker.log")).Should().Contain("Market calendar reloaded (SIGHUP)", "the file target still writes after the log configuration was reloaded");
    }
}
