using Dapper;
using FluentAssertions;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Scheduling.Cluster;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Quartz;
using static KrxSignal.Worker.Tests.Calendar.TestCalendars;

namespace KrxSignal.Worker.Tests.Scheduling.Cluster;

/// <summary>Two schedulers on one PostgreSQL job store, configured exactly as the daemon configures its own.</summary>
#pragma warning disable CA1001 // the database is disposed in DisposeAsync, which xunit calls
public sealed class ClusteredSchedulerTests : IAsyncLifetime
{
    private static readonly JobKey Job = new("poll", "pipeline");

    private readonly FakeTimeProvider _time = new(At(2026, 11, 19, 10, 0).AddSeconds(40));
    private readonly List<ServiceProvider> _nodes = [];
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = new PostgresDatabase(await (await PostgresServer.GetAsync()).CreateDatabaseAsync());
        await new QuartzSchema(_database, new ClusterIdentity("setup", "setup#0"), NullLogger<QuartzSchema>.Instance).ProvisionAsync(CancellationToken.None);
        await new SchemaMigrator(_database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            foreach (var scheduler in await node.GetRequiredService<ISchedulerFactory>().GetAllSchedulers())
            {
                await scheduler.Shutdown(waitForJobsToComplete: false);
            }

            await node.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    [SkippableFact]
    public async Task RegisterSchedule_TwoNodesStartingTogether_OneSetOfTriggersAndNoCollision()
    {
        var schedule = MarketSchedule.Create(Shipped, _time, _time.GetUtcNow(), Job);
        var schedulers = await Task.WhenAll(Scheduler("node-a"), Scheduler("node-b"));

        // Both register the same schedule at once, as two daemons started by one deploy do.
        await AtOnce.RunAsync(schedulers.Select(s => (Func<Task<bool>>)(async () =>
        {
            await MarketCalendarReloader.RegisterAsync(s, schedule, CancellationToken.None);
            return true;
        })));
        await Task.WhenAll(schedulers.Select(s => s.Start().AsTask()));
        await MarketCalendarReloader.RegisterAsync(schedulers[0], schedule, CancellationToken.None); // a restart registers again

        await using var connection = await _database.OpenAsync(CancellationToken.None);
        var triggers = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM qrtz_triggers WHERE trigger_group = @group", new { group = MarketSchedule.TriggerGroup });
        triggers.Should().Be(schedule.Triggers.Count);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM qrtz_calendars")).Should().Be(schedule.Calendars.Count);
        var misfire = await connection.QueryAsync<int>("SELECT DISTINCT misfire_instr FROM qrtz_triggers WHERE trigger_group = @group", new { group = MarketSchedule.TriggerGroup });
        misfire.Should().Equal((int)CronTriggerMisfireInstruction.DoNothing);
    }

    [SkippableFact]
    public async Task QueryClusterNodes_TwoNodesStarted_EachSeesBothWithTheirCheckIn()
    {
        var schedulers = await Task.WhenAll(Scheduler("node-a"), Scheduler("node-b"));
        await Task.WhenAll(schedulers.Select(s => s.Start().AsTask()));

        var seen = await schedulers[0].QueryClusterNodes(CancellationToken.None);

        seen.Select(n => ClusterIdentity.NameOf(n.InstanceId)).Should().BeEquivalentTo(["node-a", "node-b"]);
        seen.Should().OnlyContain(n => n.State == ClusterNodeState.Alive && n.CheckInInterval == TimeSpan.FromSeconds(1));
        seen.Single(n => n.IsCurrentNode).InstanceId.Should().Be("node-a#1");
    }

    [SkippableFact]
    public async Task Contribute_TwoNodesAlive_NamesThisNodeBothNodesAndTheLastPoller()
    {
        var schedulers = await Task.WhenAll(Scheduler("node-a"), Scheduler("node-b"));
        await Task.WhenAll(schedulers.Select(s => s.Start().AsTask()));
        await RecordPollAsync("node-b");
        var draft = new HeartbeatDraft();

        await Contributor(0, "node-a").ContributeAsync(draft, CancellationToken.None);

        draft.Cluster!.Node.Should().Be("node-a");
        draft.Cluster.Nodes.Select(n => (n.Node, n.State, n.Current)).Should().BeEquivalentTo([("node-a", "alive", true), ("node-b", "alive", false)]);
        draft.Cluster.LastPollNode.Should().Be("node-b");
        draft.Cluster.LastPollAt.Should().Be(_time.GetUtcNow());
        draft.Status.Should().Be(HealthStatus.Healthy);
        draft.Warnings.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Contribute_OtherNodeSilentPastItsThreshold_WarnsNamingItAndStaysHealthy()
    {
        var schedulers = await Task.WhenAll(Scheduler("node-a"), Scheduler("node-b"));
        await Task.WhenAll(schedulers.Select(s => s.Start().AsTask()));
        await using (var connection = await _database.OpenAsync(CancellationToken.None))
        {
            // node-b's last check-in a minute ago, as a node that died leaves it.
            await connection.ExecuteAsync(
                "UPDATE qrtz_scheduler_state SET last_checkin_time = @ticks WHERE instance_name = 'node-b#1'",
                new { ticks = _time.GetUtcNow().AddMinutes(-1).UtcTicks });
        }

        var draft = new HeartbeatDraft();
        await Contributor(0, "node-a").ContributeAsync(draft, CancellationToken.None);

        draft.Cluster!.Nodes.Single(n => n.Node == "node-b").State.Should().Be("failed");
        draft.Warnings.Should().ContainSingle().Which.Should().StartWith("cluster node node-b is failed");
        draft.Status.Should().Be(HealthStatus.Healthy, "the cluster carries on without it");
    }

    [SkippableFact]
    public async Task Contribute_ThisNodesCheckInsStopped_Degraded()
    {
        var schedulers = await Task.WhenAll(Scheduler("node-a"), Scheduler("node-b"));
        await Task.WhenAll(schedulers.Select(s => s.Start().AsTask()));
        await using (var connection = await _database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(
                "UPDATE qrtz_scheduler_state SET last_checkin_time = @ticks WHERE instance_name = 'node-a#1'",
                new { ticks = _time.GetUtcNow().AddMinutes(-1).UtcTicks });
        }

        var draft = new HeartbeatDraft();
        await Contributor(0, "node-a").ContributeAsync(draft, CancellationToken.None);

        draft.Status.Should().Be(HealthStatus.Degraded);
        draft.Reasons.Should().ContainSingle().Which.Should().StartWith("this node (node-a) is");
    }

    private ClusterHealthContributor Contributor(int node, string name) =>
        new(_nodes[node].GetRequiredService<ISchedulerFactory>(), new ClusterIdentity(name, $"{name}#1"), new LastPollReader(_database));

    private async Task RecordPollAsync(string node)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            "INSERT INTO job_runs (job, fire_time, started_at, finished_at, status, pid, node) VALUES ('poll', @at, @at, @at, 'ok', 1, @node)",
            new { at = _time.GetUtcNow(), node });
    }

    private async Task<IScheduler> Scheduler(string name)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Cluster:CheckinInterval"] = "00:00:01",
            ["Cluster:CheckinMisfireThreshold"] = "00:00:01",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<Database>(_database);
        services.AddQuartz(q =>
        {
            q.UseClusteredStore(configuration, new ClusterIdentity(name, $"{name}#1"));
            q.AddJob<NoopJob>(j => j.WithIdentity(Job).StoreDurably());
        });
        var provider = services.BuildServiceProvider();
        _nodes.Add(provider);
        return await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
    }

    [DisallowConcurrentExecution]
    private sealed class NoopJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
#pragma warning restore CA1001
