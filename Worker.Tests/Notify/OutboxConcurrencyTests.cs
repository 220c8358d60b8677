using Dapper;
using KrxSignal.Worker.Notify;
using KrxSignal.Worker.Notify.Outbox;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Signals;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Tests.Notify;

/// <summary>
/// Two nodes working one outbox at the same instant, each through its own connections. On SQLite the write lock
/// serialises them; on PostgreSQL (read committed) only the outbox's own SQL keeps a delivery from being claimed
/// twice, a message from being queued twice, or a message from being left pending after both its channels sent it.
/// </summary>
public abstract class OutboxConcurrencyTests(StorageProvider provider) : SignalsDatabaseTest(provider)
{
    private const int Messages = 40;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly string[] Channels = ["webhook", "telegram"];

    private static DateTimeOffset Now => SignalsTestDatabase.Start;

    [SkippableFact]
    public async Task ClaimNextAsync_TwoNodesClaimFromOnePendingSetAtOnce_DisjointClaimsAndEveryDeliveryClaimedOnce()
    {
        var pending = await QueueSignalsAsync(Messages);
        await using var nodes = await TwoNodesAsync();

        var claimed = await AtOnce.RunAsync(nodes.Claims.Select((claims, i) =>
            (Func<Task<List<long>>>)(() => ClaimAllAsync(claims, "webhook", $"node-{i}", perMinute: null))));

        claimed[0].Intersect(claimed[1]).Should().BeEmpty("no delivery is claimed by both nodes");
        claimed.SelectMany(c => c).Should().BeEquivalentTo(pending, "every pending delivery is claimed, each once");
        var owners = await Db.QueryAsync<LeaseRow>("SELECT notification_id AS NotificationId, lease_owner AS Owner FROM deliveries WHERE channel = 'webhook'");
        owners.Should().OnlyContain(r => claimed[r.Owner == "node-0" ? 0 : 1].Contains(r.NotificationId), "each row's lease names the node that claimed it");
    }

    [SkippableFact]
    public async Task ClaimNextAsync_RateLimitedChannelTwoNodesAtOnce_NoMoreClaimedThanTheLimit()
    {
        await QueueSignalsAsync(Messages);
        await using var nodes = await TwoNodesAsync();
        const int limit = 7;

        var claimed = await AtOnce.RunAsync(nodes.Claims.Select((claims, i) =>
            (Func<Task<List<long>>>)(() => ClaimAllAsync(claims, "telegram", $"node-{i}", limit))));

        claimed.Sum(c => c.Count).Should().Be(limit, "the per-minute limit holds across nodes, not per node");
        claimed[0].Intersect(claimed[1]).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task MarkSentAsync_TwoNodesSendOneMessageOnDifferentChannelsAtOnce_EveryMessageSettledSent()
    {
        await QueueSignalsAsync(Messages);
        await using var nodes = await TwoNodesAsync();

        // Node 0 delivers every webhook message while node 1 delivers the same messages to Telegram.
        await AtOnce.RunAsync(nodes.Claims.Select((claims, i) => (Func<Task<int>>)(async () =>
        {
            var sent = 0;
            while (await claims.ClaimNextAsync(Channels[i], $"node-{i}", Now, Now + Lease, deliverNow: true, perMinute: null, CancellationToken.None) is { } message)
            {
                await claims.MarkSentAsync(message.NotificationId, Channels[i], Now, CancellationToken.None);
                sent++;
            }

            return sent;
        })));

        (await Db.QueryAsync<string>("SELECT status FROM notifications")).Should().HaveCount(Messages).And.OnlyContain(s => s == "sent",
            "the node that settles last sees both deliveries sent");
        (await Db.QueryAsync<string>("SELECT status FROM signals")).Should().OnlyContain(s => s == "sent");
    }

    [SkippableFact]
    public async Task EnqueueAsync_TwoNodesQueueTheSameSignalsAtOnce_OneMessagePerSignal()
    {
        await using var nodes = await TwoNodesAsync();
        var queuedInAll = 0;
        for (var round = 0; round < 5; round++)
        {
            await AddSignalsAsync(8, $"r{round}");

            var queued = await AtOnce.RunAsync(nodes.Intakes.Select(intake =>
                (Func<Task<int>>)(() => intake.EnqueueAsync(null, CancellationToken.None))));
            await AtOnce.RunAsync(nodes.Intakes.Select(intake =>
                (Func<Task<int>>)(() => intake.SyncChannelsAsync(Channels, Now, CancellationToken.None))));

            queued.Sum().Should().Be(8, $"round {round}: each new signal is queued by one node, and counted once");
            queuedInAll += 8;
        }

        (await Db.ScalarAsync<long>("SELECT COUNT(*) FROM notifications")).Should().Be(queuedInAll);
        (await Db.ScalarAsync<long>("SELECT COUNT(DISTINCT signal_id) FROM notifications")).Should().Be(queuedInAll);
        (await Db.ScalarAsync<long>("SELECT COUNT(*) FROM deliveries")).Should().Be(queuedInAll * Channels.Length, "one delivery per message and channel");
    }

    private static async Task<List<long>> ClaimAllAsync(DeliveryClaims claims, string channel, string owner, int? perMinute)
    {
        var ids = new List<long>();
        while (await claims.ClaimNextAsync(channel, owner, Now, Now + Lease, deliverNow: true, perMinute, CancellationToken.None) is { } message)
        {
            ids.Add(message.NotificationId);
        }

        return ids;
    }

    /// <summary>Signals queued as the notify stage would, with a delivery per channel; returns the message ids.</summary>
    private async Task<IReadOnlyList<long>> QueueSignalsAsync(int count)
    {
        await AddSignalsAsync(count, "q");
        var intake = new OutboxIntake(Db.Connections, Expiry());
        await intake.EnqueueAsync(null, CancellationToken.None);
        await intake.SyncChannelsAsync(Channels, Now, CancellationToken.None);
        return await Db.QueryAsync<long>("SELECT id FROM notifications ORDER BY id");
    }

    private async Task AddSignalsAsync(int count, string prefix)
    {
        await using var connection = await Db.Connections.OpenAsync(CancellationToken.None);
        for (var i = 0; i < count; i++)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO signals (ticker, action, score, confidence, reason, created_at, name) VALUES (@Ticker, 'buy', 0.7, 0.7, 'test', @At, '이름')",
                new { Ticker = $"{prefix}{i:D4}", At = Now.AddSeconds(-i) }));
        }
    }

    private static MessageExpiry Expiry() => new(Options.Create(new NotifyOptions()));

    private Task<Nodes> TwoNodesAsync()
    {
        var other = Db.OpenAnotherNode();
        Database[] databases = [Db.Connections, other];
        return Task.FromResult(new Nodes(
            other,
            databases.Select(d => new DeliveryClaims(d)).ToArray(),
            databases.Select(d => new OutboxIntake(d, Expiry())).ToArray()));
    }

    private sealed record LeaseRow(long NotificationId, string Owner);

    /// <summary>Two nodes' outbox classes, each over its own connections; disposing closes the second node's.</summary>
    private sealed record Nodes(Database Other, DeliveryClaims[] Claims, OutboxIntake[] Intakes) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Other is IAsyncDisposable d ? d.DisposeAsync() : ValueTask.CompletedTask;
    }

    public sealed class OnSqlite() : OutboxConcurrencyTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : OutboxConcurrencyTests(StorageProvider.Postgres);
}
