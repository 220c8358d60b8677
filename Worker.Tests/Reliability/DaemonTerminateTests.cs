using System.Diagnostics;
using System.Text.Json;

namespace KrxSignal.Worker.Tests.Reliability;

/// <summary>
/// Issue 8: SIGTERM during the daemon's own poll cycle. The daemon polls only inside KST market windows, so it runs
/// under libfaketime (Debian's faketime package, installed by .ci/run): its clock starts at 10:10:40 KST on a trading
/// Tuesday and runs on from there, so the regular window's 10:11 poll fires 20 s after start. The upstream answers
/// after 5 s; the signal lands while the poll job is recorded as running.
/// </summary>
public sealed class DaemonTerminateTests : IDisposable
{
    private readonly ProcessScenario _s = new();

    public void Dispose() => _s.Dispose();

    [Fact]
    public async Task Run_SigtermDuringPollCycle_ExitsZeroWithinTenSecondsNoPartialRowsHeartbeatStopped()
    {
        _s.ServeUpstream([new("daemon-1", "005930", "삼성전자 어닝서프라이즈에 주가 급등", 0.9)], delay: TimeSpan.FromSeconds(5));
        var environment = _s.Environment();
        environment["LD_PRELOAD"] = LibFaketime();
        environment["FAKETIME"] = "@2026-11-24 01:10:40"; // UTC: 10:10:40 KST
        environment["TZ"] = "UTC";

        await using var worker = _s.Start(environment, "run");
        await _s.WaitForCountAsync("SELECT COUNT(*) FROM job_runs WHERE job = 'poll' AND status = 'running'", n => n == 1, worker, TimeSpan.FromSeconds(150)); // a slow start misses 10:11 and gets 10:12
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

    /// <summary>The preload library of Debian's faketime package, wherever the architecture puts it.</summary>
    private static string LibFaketime() =>
        Directory.EnumerateDirectories("/usr/lib")
            .Select(d => Path.Combine(d, "faketime", "libfaketime.so.1"))
            .Prepend("/usr/lib/faketime/libfaketime.so.1")
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("libfaketime is missing: install Debian's faketime package (apt-get install faketime), as .ci/run does.");
}
