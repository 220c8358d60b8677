using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Signals;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Notify;

/// <summary>
/// Several nodes, each a whole container with its own connections (on PostgreSQL its own pool, as a separate
/// process would have), running the same minute over one database at once.
/// </summary>
public abstract class DeliveryNodesTests(StorageProvider provider) : OutboxScenarioTest(provider)
{
    private const int Nodes = 3;
    private static readonly string[] Tickers = ["005930", "000660", "035420", "051910", "006400", "035720"];

    [SkippableFact]
    public async Task RunAsync_ThreeNodesAtOnceOverOnePendingQueue_EachMessageDeliveredOnceToWebhookAndTelegram()
    {
        foreach (var ticker in Tickers)
        {
            await S.Db.AddPredictedArticleAsync(ticker, S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        }

        var nodes = Enumerable.Range(0, Nodes).Select(_ => S.Db.BuildServices(S.Clock, S.Settings(telegram: true))).ToList();
        try
        {
            S.Answer(OutboxScenario.WebhookPath, 200);
            S.Answer(OutboxScenario.TelegramPath, 200, """{"ok":true,"result":{}}""");

            // Every node signals, queues and delivers in the same instant, as three daemons on one minute would.
            var runs = await AtOnce.RunAsync(nodes.Select(n => (Func<Task<Worker.Pipeline.StageResult>>)(() => OutboxScenario.RunAsync(n, deliverNow: true))));
            var rest = await OutboxScenario.DeliverAsync(nodes[0], deliverNow: true); // whatever a node queued after the others had looked

            var keys = await S.Db.QueryAsync<string>("SELECT idempotency_key FROM notifications");
            keys.Should().HaveCount(Tickers.Length, "one message per signal, whichever node queued it");
            (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals")).Should().Be(Tickers.Length, "one signal per ticker, whichever node made it");
            S.Requests(OutboxScenario.WebhookPath).Select(OutboxScenario.Key).Should().BeEquivalentTo(keys, "each message reached the webhook exactly once");
            S.Requests(OutboxScenario.TelegramPath).Should().HaveCount(Tickers.Length)
                .And.OnlyHaveUniqueItems(r => r.RequestMessage!.Body, "each message reached Telegram exactly once");
            (runs.Sum(r => r.Items) + rest.Items).Should().Be(2 * Tickers.Length, "each delivery is counted by the one node that sent it");
            (await S.Db.QueryAsync<string>("SELECT status FROM notifications")).Should().OnlyContain(s => s == "sent");
            (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM deliveries WHERE lease_owner IS NOT NULL")).Should().Be(0, "every claim was released");
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    public sealed class OnSqlite() : DeliveryNodesTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : DeliveryNodesTests(StorageProvider.Postgres);
}
