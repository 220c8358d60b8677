using KrxSignal.Worker.Notify;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Signals;
using Microsoft.Extensions.DependencyInjection;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Notify;

public abstract class DeliveryCrashTests(StorageProvider provider) : OutboxScenarioTest(provider)
{
    [SkippableFact]
    public async Task RunAsync_ProcessDiesAfterWebhook200BeforeCommit_RedeliversOnceWithSameKey()
    {
        S.Answer(OutboxScenario.WebhookPath, 200);
        await S.Db.AddPredictedArticleAsync("005930", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        var freeze = new FreezeAfterResponse();

        // The first "process": the receiver answers 200, then the process freezes forever before it can commit.
        var first = S.Db.BuildServices(S.Clock, S.Settings(), services =>
            services.AddHttpClient(NotifyHttpClients.Webhook).AddHttpMessageHandler(() => freeze));
        await first.GetRequiredService<SignalStage>().RunAsync(new StageContext(), CancellationToken.None);
        await first.GetRequiredService<NotifyStage>().RunAsync(new StageContext(), CancellationToken.None);
        var abandoned = OutboxScenario.DeliverAsync(first);
        await freeze.ResponseSeen.Task.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System);

        abandoned.IsCompleted.Should().BeFalse();
        (await S.Db.ScalarAsync<string?>("SELECT notified_at FROM signals")).Should().BeNull("the commit never happened");

        // The restarted process, over the same file, once the frozen process's claim has run out.
        S.Clock.Advance(new NotifyOptions().ClaimLease);
        await using (var second = S.Db.BuildServices(S.Clock, S.Settings()))
        {
            (await OutboxScenario.DeliverAsync(second)).Items.Should().Be(1);
        }

        // And once more: nothing is left to send.
        await using (var third = S.Db.BuildServices(S.Clock, S.Settings()))
        {
            (await OutboxScenario.DeliverAsync(third, deliverNow: true)).Items.Should().Be(0);
        }

        var requests = S.Requests(OutboxScenario.WebhookPath);
        requests.Should().HaveCount(2, "one delivery and at most one redelivery");
        requests.Select(OutboxScenario.Key).Distinct().Should().ContainSingle("the redelivery carries the same Idempotency-Key");
        requests.Select(r => r.RequestMessage!.Body).Distinct().Should().ContainSingle("the same bytes, so the same signature");
        (await S.Db.ScalarAsync<string?>("SELECT notified_at FROM signals")).Should().NotBeNull();
    }

    /// <summary>Lets the request reach the receiver, reports its answer, then never returns: the crash point.</summary>
    private sealed class FreezeAfterResponse : DelegatingHandler
    {
        public TaskCompletionSource ResponseSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            ResponseSeen.TrySetResult();
            await new TaskCompletionSource().Task; // never completes
            return response;
        }
    }

    public sealed class OnSqlite() : DeliveryCrashTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : DeliveryCrashTests(StorageProvider.Postgres);
}
