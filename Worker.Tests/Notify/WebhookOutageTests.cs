using System.Text;
using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Tests.Signals;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Notify;

public abstract class WebhookOutageTests(StorageProvider provider) : OutboxScenarioTest(provider)
{
    [SkippableFact]
    public async Task RunAsync_WebhookDownForAnHourThenBack_EveryMessageDeliveredOnceInOrder()
    {
        S.Answer(OutboxScenario.WebhookPath, 500);
        await using var services = S.Db.BuildServices(S.Clock, S.Settings(predictions: true));
        string[] tickers = ["005930", "000660", "035420", "051910"];

        // An hour of minutes: each brings a predicted article (as the predict stage would), then signal and notify run.
        for (var minute = 0; minute < 60; minute++)
        {
            await S.Db.AddPredictedArticleAsync(tickers[minute / 15], S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
            var result = await OutboxScenario.RunAsync(services);
            result.Items.Should().Be(0);
            S.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        // Predictions and signals kept coming; nothing was marked notified.
        (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM news_articles WHERE predicted_at IS NOT NULL AND notified_at IS NULL")).Should().Be(60);
        (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals WHERE status = 'pending' AND notified_at IS NULL")).Should().Be(4);
        (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM notifications WHERE status = 'pending'")).Should().Be(64);
        var outageRequests = S.Requests(OutboxScenario.WebhookPath);
        outageRequests.Should().OnlyContain(e => OutboxScenario.Status(e) == 500);
        // Only the head of the queue was tried, with backoff: at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 minutes.
        outageRequests.Select(OutboxScenario.Key).Distinct().Should().ContainSingle();
        outageRequests.Should().HaveCount(7);

        S.Server.ResetMappings();
        S.Answer(OutboxScenario.WebhookPath, 200);
        for (var minute = 0; minute < 40 && await PendingAsync() > 0; minute++)
        {
            await OutboxScenario.RunAsync(services);
            S.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        (await PendingAsync()).Should().Be(0);
        (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM news_articles WHERE notified_at IS NULL")).Should().Be(0);
        (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals WHERE status = 'sent' AND notified_at IS NOT NULL")).Should().Be(4);

        var delivered = S.Requests(OutboxScenario.WebhookPath).Where(e => OutboxScenario.Status(e) == 200).ToList();
        var expectedOrder = await S.Db.QueryAsync<string>("SELECT idempotency_key FROM notifications ORDER BY created_at, id");
        delivered.Select(OutboxScenario.Key).Should().Equal(expectedOrder, "one successful request per key, in creation order");
        foreach (var entry in delivered)
        {
            var headers = entry.RequestMessage!.Headers!;
            var id = headers[StandardWebhook.IdHeader].Single();
            var timestamp = headers[StandardWebhook.TimestampHeader].Single();
            id.Should().Be(OutboxScenario.Key(entry), "webhook-id is the Idempotency-Key");
            headers[StandardWebhook.SignatureHeader].Single()
                .Should().Be(StandardWebhook.Sign(id, timestamp, Encoding.UTF8.GetBytes(entry.RequestMessage!.Body!), [WebhookSecret.TryDecode(OutboxScenario.Secret)!]));
        }
    }

    [SkippableFact]
    public async Task RunAsync_DeliverNow_IgnoresBackoff()
    {
        S.Answer(OutboxScenario.WebhookPath, 500);
        await S.Db.AddPredictedArticleAsync("005930", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        await using var services = S.Db.BuildServices(S.Clock, S.Settings());

        await OutboxScenario.RunAsync(services);
        await OutboxScenario.RunAsync(services);
        var deferred = S.Requests(OutboxScenario.WebhookPath).Count;
        var now = await OutboxScenario.RunAsync(services, deliverNow: true);

        deferred.Should().Be(1, "the second run fell inside the 30 s backoff");
        S.Requests(OutboxScenario.WebhookPath).Should().HaveCount(2);
        now.Outcome.Should().Be(Worker.Pipeline.StageOutcome.Failed);
    }

    private Task<long> PendingAsync() => S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM notifications WHERE status = 'pending'");

    public sealed class OnSqlite() : WebhookOutageTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : WebhookOutageTests(StorageProvider.Postgres);
}
