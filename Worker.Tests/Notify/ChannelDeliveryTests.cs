using KrxSignal.Worker.Health;
using KrxSignal.Worker.Notify;
using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Notify.Delivery;
using KrxSignal.Worker.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Notify;

public abstract class ChannelDeliveryTests(StorageProvider provider) : OutboxScenarioTest(provider)
{
    [SkippableFact]
    public async Task RunAsync_WebhookOkTelegramDown_RetriesOnlyTelegram()
    {
        S.Answer(OutboxScenario.WebhookPath, 200);
        S.Answer(OutboxScenario.TelegramPath, 500, """{"ok":false,"error_code":500,"description":"Internal"}""");
        await S.Db.AddPredictedArticleAsync("005930", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        await using var services = S.Db.BuildServices(S.Clock, S.Settings(telegram: true));

        await OutboxScenario.RunAsync(services);
        S.Clock.Advance(TimeSpan.FromMinutes(1));
        await OutboxScenario.RunAsync(services);

        S.Requests(OutboxScenario.WebhookPath).Should().ContainSingle();
        S.Requests(OutboxScenario.TelegramPath).Should().HaveCount(2);
        var signal = (await S.Db.QueryAsync<(string Status, string? NotifiedAt, long Attempts, string LastError)>(
            "SELECT status, notified_at, attempts, last_error FROM signals")).Single();
        signal.Status.Should().Be("pending", "Telegram still owes it");
        signal.NotifiedAt.Should().NotBeNull("the webhook delivered it");
        signal.Attempts.Should().Be(3);
        signal.LastError.Should().Be("telegram: HTTP 500 Internal Server Error: Internal");

        S.Server.ResetMappings();
        S.Answer(OutboxScenario.TelegramPath, 200, """{"ok":true,"result":{}}""");
        S.Clock.Advance(TimeSpan.FromMinutes(5));
        await OutboxScenario.RunAsync(services);

        S.Requests(OutboxScenario.WebhookPath).Should().ContainSingle();
        (await S.Db.ScalarAsync<string>("SELECT status FROM signals")).Should().Be("sent");
        var telegram = S.Requests(OutboxScenario.TelegramPath)[^1].RequestMessage!;
        telegram.Body.Should().Contain("\"chat_id\":\"42\"").And.Contain("BUY 005930");
    }

    [SkippableFact]
    public async Task RunAsync_Telegram429_WaitsRetryAfterAndKeepsTokenOutOfErrors()
    {
        S.Answer(OutboxScenario.TelegramPath, 429, """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 120","parameters":{"retry_after":120}}""");
        await S.Db.AddPredictedArticleAsync("005930", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        await using var services = S.Db.BuildServices(S.Clock, S.Settings(webhook: false, telegram: true));

        await OutboxScenario.RunAsync(services);

        var nextAttemptAt = await S.Db.ScalarAsync<DateTimeOffset>("SELECT next_attempt_at FROM deliveries WHERE channel = 'telegram'");
        var lastError = await S.Db.ScalarAsync<string>("SELECT last_error FROM deliveries WHERE channel = 'telegram'");
        nextAttemptAt.Should().Be(new DateTimeOffset(2026, 11, 19, 1, 2, 0, TimeSpan.Zero), "retry_after 120 s is longer than the 30 s backoff");
        lastError.Should().NotContain(OutboxScenario.BotToken);
    }

    [SkippableFact]
    public async Task RunAsync_MaxAttemptsReached_FailedWithErrorLogAndDegradedHeartbeat()
    {
        S.Answer(OutboxScenario.WebhookPath, 503);
        await S.Db.AddPredictedArticleAsync("005930", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        var settings = S.Settings();
        settings["Notify:MaxAttempts"] = "3";
        var logs = new FakeLogCollector();
        await using var services = S.Db.BuildServices(S.Clock, settings, s => s.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs))));

        for (var i = 0; i < 3; i++)
        {
            await OutboxScenario.RunAsync(services, deliverNow: true);
        }

        (await S.Db.ScalarAsync<string>("SELECT status FROM signals")).Should().Be("failed");
        (await S.Db.ScalarAsync<string>("SELECT status FROM notifications")).Should().Be("failed");
        logs.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Error)
            .Which.Message.Should().Contain("FAILED on webhook after 3 attempts").And.Contain("HTTP 503");

        var draft = new HeartbeatDraft();
        foreach (var contributor in services.GetServices<IHeartbeatContributor>())
        {
            await contributor.ContributeAsync(draft, CancellationToken.None);
        }

        draft.Notifications.Should().Be((0, (double?)null, 1));
        draft.Status.Should().Be(HealthStatus.Degraded);
        S.Requests(OutboxScenario.WebhookPath).Should().HaveCount(3);
    }

    [SkippableFact]
    public async Task ContributeAsync_PendingMessages_CountAndOldestAge()
    {
        S.Answer(OutboxScenario.WebhookPath, 500);
        await S.Db.AddPredictedArticleAsync("005930", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        await using var services = S.Db.BuildServices(S.Clock, S.Settings());
        await OutboxScenario.RunAsync(services);
        S.Clock.Advance(TimeSpan.FromSeconds(90));

        var draft = new HeartbeatDraft();
        await services.GetServices<IHeartbeatContributor>().OfType<NotificationsHealth>().Single().ContributeAsync(draft, CancellationToken.None);

        draft.Notifications.Should().Be((1, (double?)90.0, 0));
        draft.Status.Should().Be(HealthStatus.Healthy);
    }

    [SkippableFact]
    public async Task RunAsync_NoChannelConfigured_MessagesSkippedAndSaidOnce()
    {
        await S.Db.AddPredictedArticleAsync("005930", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        var logs = new FakeLogCollector();
        await using var services = S.Db.BuildServices(S.Clock, S.Settings(webhook: false, predictions: true), s => s.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs))));

        var result = await OutboxScenario.RunAsync(services);
        await S.Db.AddPredictedArticleAsync("000660", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        await OutboxScenario.RunAsync(services);

        result.Outcome.Should().Be(StageOutcome.Ok);
        (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM notifications WHERE status = 'skipped'")).Should().Be(4);
        (await S.Db.ScalarAsync<string>("SELECT last_error FROM signals LIMIT 1")).Should().Be("not sent: no notification channel configured");
        logs.GetSnapshot().Count(r => r.Message.StartsWith("No notification channel is configured", StringComparison.Ordinal)).Should().Be(1);
        S.Server.LogEntries.Should().BeEmpty();
    }

    [SkippableFact]
    public void Backoff_DoublesFromRetryDelayUpToCap()
    {
        var options = new NotifyOptions();

        Enumerable.Range(1, 8).Select(a => ChannelRun.Backoff(a, null, options).TotalSeconds)
            .Should().Equal(30, 60, 120, 240, 480, 960, 1800, 1800);
        ChannelRun.Backoff(1, TimeSpan.FromHours(5), options).Should().Be(TimeSpan.FromMinutes(30), "a Retry-After is capped");
    }

    [SkippableFact]
    public void Sign_StandardWebhooksVector_MatchesPublishedSignature()
    {
        // The example of the Standard Webhooks specification: secret, message id, timestamp, body and signature.
        var key = WebhookSecret.TryDecode("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!;

        var signature = StandardWebhook.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "{\"test\": 2432232314}"u8, [key]);

        signature.Should().Be("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    [SkippableFact]
    public void Sign_TwoSecretsDuringRotation_BothSignaturesSpaceSeparated()
    {
        var current = WebhookSecret.TryDecode(WebhookSecret.New())!;
        var previous = WebhookSecret.TryDecode("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!;

        var signature = StandardWebhook.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "{\"test\": 2432232314}"u8, [current, previous])!;

        signature.Split(' ').Should().HaveCount(2).And.OnlyContain(s => s.StartsWith("v1,", StringComparison.Ordinal))
            .And.EndWith("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    [SkippableTheory]
    [InlineData("test-webhook-secret")]
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_c2hvcnQ=")]
    public void TryDecode_NotAStandardWebhooksSecret_Null(string secret) => WebhookSecret.TryDecode(secret).Should().BeNull();

    [SkippableFact]
    public void New_FreshSecret_DecodesTo32Bytes()
    {
        var secret = WebhookSecret.New();

        secret.Should().StartWith("whsec_");
        WebhookSecret.TryDecode(secret).Should().HaveCount(32);
        WebhookSecret.New().Should().NotBe(secret);
    }

    public sealed class OnSqlite() : ChannelDeliveryTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : ChannelDeliveryTests(StorageProvider.Postgres);
}
