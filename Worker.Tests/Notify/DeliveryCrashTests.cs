using KrxSignal.Worker.Notify;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Tests.Notify;

public sealed class DeliveryCrashTests : IAsyncLifetime
{
    private OutboxScenario _s = null!;

    public async Task InitializeAsync() => _s = await OutboxScenario.CreateAsync();

    public Task DisposeAsync()
    {
        _s.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task RunAsync_ProcessDiesAfterWebhook200BeforeCommit_RedeliversOnceWithSameKey()
    {
        _s.Answer(OutboxScenario.WebhookPath, 200);
        await _s.Db.AddPredictedArticleAsync("005930", _s.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        var freeze = new FreezeAfterResponse();

        // The first "process": the receiver answers 200, then the process freezes forever before it can commit.
        var first = _s.Db.BuildServices(_s.Clock, _s.Settings(), services =>
            services.AddHttpClient(NotifyHttpClients.Webhook).AddHttpMessageHandler(() => freeze));
        await first.GetRequiredService<SignalStage>().RunAsync(new StageContext(), CancellationToken.None);
        await first.GetRequiredService<NotifyStage>().RunAsync(new StageContext(), CancellationToken.None);
        var abandoned = OutboxScenario.DeliverAsync(first);
        await freeze.ResponseSeen.Task.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System);

        abandoned.IsCompleted.Should().BeFalse();
        (await _s.Db.ScalarAsync<string?>("SELECT notified_at FROM signals")).Should().BeNull("the commit never happened");

        // The restarted process, over the same file, once the frozen process's claim has run out.
        _s.Clock.Advance(new NotifyOptions().ClaimLease);
        using (var second = _s.Db.BuildServices(_s.Clock, _s.Settings()))
        {
            (await OutboxScenario.DeliverAsync(second)).Items.Should().Be(1);
        }

        // And once more: nothing is left to send.
        using (var third = _s.Db.BuildServices(_s.Clock, _s.Settings()))
        {
            (await OutboxScenario.DeliverAsync(third, deliverNow: true)).Items.Should().Be(0);
        }

        var requests = _s.Requests(OutboxScenario.WebhookPath);
        requests.Should().HaveCount(2, "one delivery and at most one redelivery");
        requests.Select(OutboxScenario.Key).Distinct().Should().ContainSingle("the redelivery carries the same Idempotency-Key");
        requests.Select(r => r.RequestMessage!.Body).Distinct().Should().ContainSingle("the same bytes, so the same signature");
        (await _s.Db.ScalarAsync<string?>("SELECT notified_at FROM signals")).Should().NotBeNull();
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
}
