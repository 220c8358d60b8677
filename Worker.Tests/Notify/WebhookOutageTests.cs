using System.Text;
using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Tests.Signals;

namespace KrxSignal.Worker.Tests.Notify;

public sealed class WebhookOutageTests : IAsyncLifetime
{
    private OutboxScenario _s = null!;

    public async Task InitializeAsync() => _s = await OutboxScenario.CreateAsync();

    public Task DisposeAsync()
    {
        _s.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task RunAsync_WebhookDownForAnHourThenBack_EveryMessageDeliveredOnceInOrder()
    {
        _s.Answer(OutboxScenario.WebhookPath, 500);
        using var services = _s.Db.BuildServices(_s.Clock, _s.Settings(predictions: true));
        string[] tickers = ["005930", "000660", "035420", "051910"];

        // An hour of minutes: each brings a predicted article (as the predict stage would), then signal and notify run.
        for (var minute = 0; minute < 60; minute++)
        {
            await _s.Db.AddPredictedArticleAsync(tickers[minute / 15], _s.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
            var result = await OutboxScenario.RunAsync(services);
            result.Items.Should().Be(0);
            _s.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        // Predictions and signals kept coming; nothing was marked notified.
        (await _s.Db.ScalarAsync<long>("SELECT COUNT(*) FROM news_articles WHERE predicted_at IS NOT NULL AND notified_at IS NULL")).Should().Be(60);
        (await _s.Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals WHERE status = 'pending' AND notified_at IS NULL")).Should().Be(4);
        (await _s.Db.ScalarAsync<long>("SELECT COUNT(*) FROM notifications WHERE status = 'pending'")).Should().Be(64);
        var outageRequests = _s.Requests(OutboxScenario.WebhookPath);
        outageRequests.Should().OnlyContain(e => OutboxScenario.Status(e) == 500);
        // Only the head of the queue was tried, with backoff: at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 minutes.
        outageRequests.Select(OutboxScenario.Key).Distinct().Should().ContainSingle();
        outageRequests.Should().HaveCount(7);

        _s.Server.ResetMappings();
        _s.Answer(OutboxScenario.WebhookPath, 200);
        for (var minute = 0; minute < 40 && await PendingAsync() > 0; minute++)
        {
            await OutboxScenario.RunAsync(services);
            _s.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        (await PendingAsync()).Should().Be(0);
        (await _s.Db.ScalarAsync<long>("SELECT COUNT(*) FROM news_articles WHERE notified_at IS NULL")).Should().Be(0);
        (await _s.Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals WHERE status = 'sent' AND notified_at IS NOT NULL")).Should().Be(4);

        var delivered = _s.Requests(OutboxScenario.WebhookPath).Where(e => OutboxScenario.Status(e) == 200).ToList();
        var expectedOrder = await _s.Db.QueryAsync<string>("SELECT idempotency_key FROM notifications ORDER BY created_at, id");
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

    [Fact]
    public async Task RunAsync_DeliverNow_IgnoresBackoff()
    {
        _s.Answer(OutboxScenario.WebhookPath, 500);
        await _s.Db.AddPredictedArticleAsync("005930", _s.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        using var services = _s.Db.BuildServices(_s.Clock, _s.Settings());

        await OutboxScenario.RunAsync(services);
        await OutboxScenario.RunAsync(services);
        var deferred = _s.Requests(OutboxScenario.WebhookPath).Count;
        var now = await OutboxScenario.RunAsync(services, deliverNow: true);

        deferred.Should().Be(1, "the second run fell inside the 30 s backoff");
        _s.Requests(OutboxScenario.WebhookPath).Should().HaveCount(2);
        now.Outcome.Should().Be(Worker.Pipeline.StageOutcome.Failed);
    }

    private Task<long> PendingAsync() => _s.Db.ScalarAsync<long>("SELECT COUNT(*) FROM notifications WHERE status = 'pending'");
}
