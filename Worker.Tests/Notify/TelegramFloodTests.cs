using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Notify;

/// <summary>Telegram's flood control: about 20 messages a minute to one chat, and a 429's retry_after for the whole chat.</summary>
public abstract class TelegramFloodTests(StorageProvider provider) : OutboxScenarioTest(provider)
{
    [SkippableFact]
    public async Task DeliverAsync_26Pending_TwentyInAMinuteTheRestInTheNext()
    {
        S.Answer(OutboxScenario.TelegramPath, 200, """{"ok":true,"result":{"message_id":1}}""");
        for (var i = 0; i < 25; i++)
        {
            await S.Db.AddPredictedArticleAsync("005930", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        }

        await using var services = S.Db.BuildServices(S.Clock, S.Settings(webhook: false, telegram: true, predictions: true));

        var first = await OutboxScenario.RunAsync(services, deliverNow: true);
        S.Clock.Advance(TimeSpan.FromSeconds(30));
        var sameMinute = await OutboxScenario.DeliverAsync(services, deliverNow: true);
        S.Clock.Advance(TimeSpan.FromSeconds(31));
        var nextMinute = await OutboxScenario.DeliverAsync(services, deliverNow: true);

        first.Items.Should().Be(20, "one signal and 25 digests, at most 20 a minute to one chat");
        sameMinute.Items.Should().Be(0);
        nextMinute.Items.Should().Be(6);
        S.Requests(OutboxScenario.TelegramPath).Should().HaveCount(26, "nothing was sent only to be refused");
    }

    [SkippableFact]
    public async Task DeliverAsync_429RetryAfter_WholeChatWaitsThenGoesOn()
    {
        S.Answer(OutboxScenario.TelegramPath, 429, """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 90","parameters":{"retry_after":90}}""");
        await S.Db.AddPredictedArticleAsync("005930", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        await S.Db.AddPredictedArticleAsync("000660", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        await using var services = S.Db.BuildServices(S.Clock, S.Settings(webhook: false, telegram: true));

        await OutboxScenario.RunAsync(services);
        S.Server.ResetMappings();
        S.Answer(OutboxScenario.TelegramPath, 200, """{"ok":true,"result":{"message_id":1}}""");
        S.Clock.Advance(TimeSpan.FromSeconds(60));
        var held = await OutboxScenario.DeliverAsync(services, deliverNow: true);
        S.Clock.Advance(TimeSpan.FromSeconds(31));
        var after = await OutboxScenario.DeliverAsync(services);

        held.Items.Should().Be(0, "not even poll-once sends inside Telegram's retry_after");
        after.Items.Should().Be(2);
        S.Requests(OutboxScenario.TelegramPath).Should().HaveCount(3);
    }

    public sealed class OnSqlite() : TelegramFloodTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : TelegramFloodTests(StorageProvider.Postgres);
}
