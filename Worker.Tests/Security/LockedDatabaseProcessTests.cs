using System.Diagnostics;
using System.Text.Json;
using Dapper;
using KrxSignal.Worker.Tests.Reliability;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Data.Sqlite;

namespace KrxSignal.Worker.Tests.Security;

/// <summary>
/// The real daemon while another process holds its database's write lock for over a minute. The daemon's clock
/// (Clock:StartAt) starts 15 s before a minute boundary at night, so no poll runs and the test crosses as few real
/// minute boundaries as it can (two). The lock must be taken before the pipeline job's first run at that boundary: at
/// night a run that ends ok lets the job sleep until there is work, so a lock taken after it would meet only the
/// delivery job. 15 s leaves a loaded machine time to start the daemon and write its first heartbeat.
/// </summary>
[Collection(MinuteLongFirstOrderer.Prefix + nameof(LockedDatabaseProcessTests))]
public sealed class LockedDatabaseProcessTests : IDisposable
{
    private readonly ProcessScenario _s = new();

    public void Dispose() => _s.Dispose();

    [LinuxFact("sends SIGTERM")]
    public async Task Run_DatabaseLockedByAnotherProcessOverAMinute_DegradedNamingTheDatabaseThenHealthyAgain()
    {
        var environment = _s.Environment();
        environment["Clock__StartAt"] = "2026-11-25T02:30:45+09:00";
        environment["Heartbeat__Interval"] = "00:00:01";
        environment["Heartbeat__UnhealthyAfterFailures"] = "5";
        await using var worker = _s.Start(environment, "run");
        await _s.WaitForHeartbeatAsync(h => Status(h) == "healthy", worker, ProcessScenario.ProcessTimeout);

        // Another process's writer: BEGIN IMMEDIATE holds the write lock until it ends (WAL still lets readers in).
        var holder = new SqliteConnection($"Data Source={_s.DatabasePath};Pooling=False;Default Timeout=30");
        await holder.OpenAsync();
        await holder.ExecuteAsync("BEGIN IMMEDIATE");
        var held = Stopwatch.StartNew();
        JsonElement degraded;
        try
        {
            degraded = await _s.WaitForHeartbeatAsync(h => Status(h) == "degraded", worker, TimeSpan.FromMinutes(3));
            var untilAMinute = TimeSpan.FromSeconds(61) - held.Elapsed;
            if (untilAMinute > TimeSpan.Zero)
            {
                await Task.Delay(untilAMinute, TimeProvider.System); // the scenario itself: a lock held for over a minute
            }
        }
        finally
        {
            await holder.ExecuteAsync("ROLLBACK");
            await holder.DisposeAsync();
        }

        var reasons = degraded.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).ToList();
        reasons.Should().Contain(r => r!.Contains("job pipeline failing (database locked by another process)", StringComparison.Ordinal)
            && r.Contains(_s.DatabasePath, StringComparison.Ordinal));

        await _s.WaitForHeartbeatAsync(h => Status(h) == "healthy", worker, TimeSpan.FromMinutes(2));
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM job_runs WHERE job = 'pipeline' AND status = 'failed' AND error LIKE '%database locked by another process%'"))
            .Should().BeGreaterThanOrEqualTo(1, "the refused run is recorded once the database takes writes again");
        worker.StandardOutput.Should().Contain("Job pipeline: its start could not be recorded, so it did not run: database locked by another process");

        worker.Terminate();
        (await worker.WaitForExitAsync(ProcessScenario.ProcessTimeout)).Should().Be(0);
    }

    private static string? Status(JsonElement heartbeat) => heartbeat.GetProperty("status").GetString();
}
