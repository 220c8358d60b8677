using System.Diagnostics;
using System.Text.Json;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Reliability;

/// <summary>
/// Issue 8: SIGTERM during the daemon's own poll cycle. The daemon polls only inside KST market windows, so its clock
/// starts (Clock__StartAt) at 10:10:55 KST on a trading Tuesday and runs on at real speed: the regular window's 10:11
/// poll fires about 5 s after start. The upstream answers after 5 s; the signal lands while the poll job is recorded
/// as running.
/// </summary>
public sealed class DaemonTerminateTests : IDisposable
{
    private const int Attempts = 3;
    private ProcessScenario _s = new();

    public void Dispose() => _s.Dispose();

    [LinuxFact("sends SIGTERM")]
    public async Task Run_SigtermDuringPollCycle_ExitsZeroWithinTenSecondsNoPartialRowsHeartbeatStopped()
    {
        await using var worker = await StartInTimeForTheNextMinuteAsync();
        await _s.WaitForCountAsync("SELECT COUNT(*) FROM job_runs WHERE job = 'poll' AND status = 'running'", n => n == 1, worker, TimeSpan.FromSeconds(150));
        var clock = Stopwatch.StartNew();
        worker.Terminate();
        var exitCode = await worker.WaitForExitAsync(ProcessScenario.ProcessTimeout);

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        exitCode.Should().Be(0, $"stdout:\n{worker.StandardOutput}\nstderr:\n{worker.StandardError}");
        worker.StandardOutput.Should().Contain("now regular", "the daemon saw the market open, so the poll was its own");
        (await _s.ScalarAsync<string>("PRAGMA integrity_check")).Should().Be("ok");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM job_runs WHERE status = 'running'")).Should().Be(0, "every job run records how it ended");
        (await _s.ScalarAsync<string>("SELECT status FROM job_runs WHERE job = 'poll'")).Should().Be("cancelled");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM news_articles")).Should().Be(0, "the news answer never arrived");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM predictions")).Should().Be(0);
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM snapshots WHERE http_status = 200")).Should().Be(0);

        using var heartbeat = JsonDocument.Parse(await File.ReadAllTextAsync(_s.State.File("heartbeat.json")));
        heartbeat.RootElement.GetProperty("status").GetString().Should().Be("stopped");
        heartbeat.RootElement.GetProperty("pid").GetInt32().Should().Be(worker.Id);
    }

    /// <summary>
    /// Starts the daemon 5 s before 10:11 on its own clock. A start so slow (a loaded machine) that the triggers are
    /// scheduled after 10:11 would wait a minute for 10:12; the daemon logs the next poll it scheduled, so such a start
    /// is stopped and tried again on a fresh state folder, and only the last try is left to wait.
    /// </summary>
    private async Task<WorkerProcess> StartInTimeForTheNextMinuteAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            _s.ServeUpstream([new("daemon-1", "005930", "삼성전자 어닝서프라이즈에 주가 급등", 0.9)], delay: TimeSpan.FromSeconds(5));
            var environment = _s.Environment();
            environment["Clock__StartAt"] = "2026-11-24T10:10:55+09:00";
            environment["TZ"] = "UTC";
            var worker = _s.Start(environment, "run");
            await worker.WaitForOutputAsync("next poll 2026-11-24 10:1", TimeSpan.FromSeconds(60));
            if (attempt == Attempts || worker.StandardOutput.Contains("next poll 2026-11-24 10:11 KST", StringComparison.Ordinal))
            {
                return worker;
            }

            await worker.DisposeAsync();
            _s.Dispose();
            _s = new ProcessScenario();
        }
    }
}
