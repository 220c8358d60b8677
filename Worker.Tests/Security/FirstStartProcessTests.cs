using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Reliability;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Security;

/// <summary>Several daemons started at once on a database that does not exist yet.</summary>
public sealed class FirstStartProcessTests : IDisposable
{
    private readonly ProcessScenario _s = new();

    public void Dispose() => _s.Dispose();

    [LinuxFact("sends SIGTERM")]
    public async Task Run_ThreeFirstStartsAtOnceOnANewDatabase_AllStartAndExitZeroWithOneSchema()
    {
        var workers = new List<WorkerProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var environment = _s.Environment();
                environment["Clock__StartAt"] = "2026-11-25T02:30:00+09:00"; // night: nothing polls
                environment["Logs__Directory"] = _s.State.File($"logs-{i}");
                workers.Add(_s.Start(environment, "run"));
            }

            foreach (var worker in workers)
            {
                await worker.WaitForOutputAsync("KRX Signal Worker", ProcessScenario.ProcessTimeout);
                await worker.WaitForOutputAsync("Scheduled", ProcessScenario.ProcessTimeout);
            }

            foreach (var worker in workers)
            {
                worker.Terminate();
            }

            foreach (var worker in workers)
            {
                var exitCode = await worker.WaitForExitAsync(ProcessScenario.ProcessTimeout);
                exitCode.Should().Be(0, $"stdout:\n{worker.StandardOutput}\nstderr:\n{worker.StandardError}");
            }
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }

        (await _s.ScalarAsync<long>("PRAGMA user_version")).Should().Be(Migration.Embedded[^1].Version);
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'news_articles'")).Should().Be(1);
        (await _s.ScalarAsync<string>("PRAGMA integrity_check")).Should().Be("ok");
        string.Concat(workers.Select(w => w.StandardOutput)).Split('\n').Count(l => l.Contains("migrated to version 1 ", StringComparison.Ordinal))
            .Should().Be(1, "one process applies each step; the others find it done");
    }
}
