using System.Diagnostics;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Reliability;

/// <summary>
/// Issue 8: SIGTERM during a poll cycle. The daemon polls only inside KST market windows, so the cycle is driven by
/// poll-once, which runs the same stages: the upstream answers after 5 s, and the signal lands while the Worker waits.
/// </summary>
public sealed class PollOnceTerminateTests : IDisposable
{
    private static readonly NewsArticle[] News =
    [
        new("term-1", "005930", "삼성전자 어닝서프라이즈에 주가 급등", 0.9),
        new("term-2", "000660", "SK하이닉스 대규모 수주", 0.6),
        new("term-3", "035420", "네이버 실적 발표", 0.1),
    ];

    private readonly ProcessScenario _s = new();

    public void Dispose() => _s.Dispose();

    [LinuxFact("sends SIGTERM")]
    public async Task PollOnce_SigtermMidPoll_Exits143WithinTenSecondsLeavingNothingHalfWritten()
    {
        _s.ServeUpstream(News, delay: TimeSpan.FromSeconds(5));
        var environment = _s.Environment();

        await using (var worker = _s.Start(environment, "poll-once"))
        {
            // poll-once migrates, then polls at once: once the last migration is in, the requests are on their way.
            var latest = Migration.Embedded[^1].Version;
            await _s.WaitForCountAsync("PRAGMA user_version", n => n >= latest, worker, ProcessScenario.ProcessTimeout);
            var clock = Stopwatch.StartNew();
            worker.Terminate();
            var exitCode = await worker.WaitForExitAsync(ProcessScenario.ProcessTimeout);

            clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
            exitCode.Should().Be(143, $"stdout:\n{worker.StandardOutput}\nstderr:\n{worker.StandardError}");
            worker.StandardError.Should().Contain("poll-once interrupted by SIGTERM: stopped before the cycle finished");
            worker.StandardOutput.Should().NotContain("poll ", "no stage result is reported for a cycle that did not finish");
        }

        (await _s.ScalarAsync<string>("PRAGMA integrity_check")).Should().Be("ok");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM news_articles")).Should().Be(0, "the news answer never arrived");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM predictions")).Should().Be(0);
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM signals")).Should().Be(0);
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM notifications")).Should().Be(0);
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM snapshots WHERE http_status = 200")).Should().Be(0, "no answer was stored as if it had arrived");

        // Nothing left behind gets in the way: the next run does the whole cycle.
        _s.Upstream.Reset();
        _s.ServeUpstream(News);
        var (rerunExit, stdout, stderr) = await _s.RunAsync(environment, "poll-once");

        rerunExit.Should().Be(0, $"stdout:\n{stdout}\nstderr:\n{stderr}");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM news_articles WHERE predicted_at IS NOT NULL")).Should().Be(News.Length);
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM predictions")).Should().Be(News.Length * 2);
    }
}
