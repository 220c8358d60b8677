using Dapper;
using FluentAssertions;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Scheduling.Cluster;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static KrxSignal.Worker.Tests.Calendar.TestCalendars;

namespace KrxSignal.Worker.Tests.Scheduling.Cluster;

/// <summary>job_runs on a database several nodes share: each row names its node, and a node judges only its own.</summary>
public sealed class NodeRunsTests : IDisposable
{
    private static readonly ClusterIdentity NodeA = new("node-a", "node-a#1");

    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(At(2026, 11, 19, 10, 1));

    public void Dispose() => _folder.Dispose();

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_NodeNamed_RowAndLastPollNameIt(StorageProvider provider)
    {
        var database = await MigratedAsync(provider);
        var recorder = new JobRunRecorder(database, _time, NullLogger<JobRunRecorder>.Instance, node: NodeA);

        await recorder.RunAsync("poll", At(2026, 11, 19, 10, 1), _ => Task.FromResult(new JobOutcome(JobRunStatus.Ok, 3, null)), CancellationToken.None);
        var last = await new LastPollReader(database).ReadAsync(CancellationToken.None);

        last.Should().Be(new LastPoll("node-a", At(2026, 11, 19, 10, 1)));
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Sweep_AnotherNodesRunWithAPidDeadHere_LeftRunning(StorageProvider provider)
    {
        var database = await MigratedAsync(provider);
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            // A pid that is not alive on this machine: on node-b's machine it may be running right now.
            await connection.ExecuteAsync(
                "INSERT INTO job_runs (job, fire_time, started_at, status, pid, node) VALUES ('poll', @at, @at, 'running', 2147483000, @node)",
                new[] { new { at = _time.GetUtcNow(), node = "node-b" }, new { at = _time.GetUtcNow(), node = "node-a" } });
        }

        await new AbandonedRunSweeper(database, NodeA, _time, NullLogger<AbandonedRunSweeper>.Instance).StartAsync(CancellationToken.None);

        await using var after = await database.OpenAsync(CancellationToken.None);
        var rows = await after.QueryAsync<NodeStatus>("SELECT node AS Node, status AS Status FROM job_runs ORDER BY node");
        rows.Should().Equal(new NodeStatus("node-a", "abandoned"), new NodeStatus("node-b", "running"));
    }

    private async Task<Database> MigratedAsync(StorageProvider provider)
    {
        var database = await TestDatabases.CreateAsync(provider, _folder);
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return database;
    }

    private sealed record NodeStatus(string Node, string Status);
}
