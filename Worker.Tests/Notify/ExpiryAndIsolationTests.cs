using System.Net;
using System.Net.Sockets;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Notify;
using KrxSignal.Worker.Notify.Outbox;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Signals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Notify;

public abstract class ExpiryAndIsolationTests(StorageProvider provider) : OutboxScenarioTest(provider)
{
    [SkippableFact]
    public async Task RunAsync_UndeliveredPastPostMarketEnd_ExpiredNotSentLateAndCounted()
    {
        S.Answer(OutboxScenario.WebhookPath, 503);
        await S.Db.AddPredictedArticleAsync("005930", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        await using var services = S.Db.BuildServices(S.Clock, S.Settings());
        await OutboxScenario.RunAsync(services);
        var expiresAt = await S.Db.ScalarAsync<DateTimeOffset>("SELECT expires_at FROM notifications");

        // 10:00 KST → 20:01 KST: the receiver came back too late for this day's signal.
        S.Clock.Advance(TimeSpan.FromHours(10) + TimeSpan.FromMinutes(1));
        S.Server.ResetMappings();
        S.Answer(OutboxScenario.WebhookPath, 200);
        var before = S.Requests(OutboxScenario.WebhookPath).Count;
        await OutboxScenario.RunAsync(services, deliverNow: true);

        expiresAt.Should().Be(new DateTimeOffset(2026, 11, 19, 11, 0, 0, TimeSpan.Zero), "20:00 KST on the signal's trading day");
        S.Requests(OutboxScenario.WebhookPath).Should().HaveCount(before, "an expired message is not sent late as if fresh");
        (await S.Db.ScalarAsync<string>("SELECT status FROM notifications")).Should().Be("expired");
        var signal = (await S.Db.QueryAsync<(string Status, string LastError)>("SELECT status, last_error FROM signals")).Single();
        signal.Status.Should().Be("failed");
        signal.LastError.Should().Be("webhook: expired: not delivered by 2026-11-19T11:00:00.000Z");
        var draft = new HeartbeatDraft();
        await services.GetServices<IHeartbeatContributor>().OfType<NotificationsHealth>().Single().ContributeAsync(draft, CancellationToken.None);
        draft.Status.Should().Be(HealthStatus.Degraded);
        draft.Reasons.Should().Contain("1 notifications expired undelivered in the last 24 h (notifications.status = 'expired')");
    }

    [SkippableTheory]
    [InlineData("2026-11-19T10:00:00+09:00", "2026-11-19T20:00:00+09:00")] // Thursday morning: that evening
    [InlineData("2026-11-20T21:30:00+09:00", "2026-11-23T20:00:00+09:00")] // Friday night: Monday, the next trading day
    [InlineData("2026-11-22T09:00:00+09:00", "2026-11-23T20:00:00+09:00")] // Sunday
    public void For_Signal_EndOfItsTradingDaysPostMarketWindow(string created, string expected)
    {
        var expiry = new MessageExpiry(Options.Create(new NotifyOptions()));

        expiry.For("signal", DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture))
            .Should().Be(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [SkippableFact]
    public void For_MaxAgeSetOrDigest_FixedAgeOrNever()
    {
        var created = new DateTimeOffset(2026, 11, 19, 1, 0, 0, TimeSpan.Zero);

        new MessageExpiry(Options.Create(new NotifyOptions { MaxAge = TimeSpan.FromMinutes(90) })).For("signal", created).Should().Be(created.AddMinutes(90));
        new MessageExpiry(Options.Create(new NotifyOptions())).For("prediction", created).Should().BeNull();
    }

    [SkippableFact]
    public async Task DeliverAsync_ReceiverHangs_PipelineStagesKeepTheirMinuteAndRunEndsAtItsLimit()
    {
        using var hanging = new HangingReceiver();
        await S.Db.AddPredictedArticleAsync("005930", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        var settings = S.Settings();
        settings["Notify:Webhook:Url"] = hanging.Url;
        await using var services = S.Db.BuildServices(S.Clock, settings);
        await QueueAsync(services);

        var delivery = OutboxScenario.DeliverAsync(services);
        await hanging.Connected.Task.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System);

        // The next minute's signal and notify stages run to the end while the delivery run is stuck on its receiver.
        await S.Db.AddPredictedArticleAsync("000660", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        var queued = await QueueAsync(services).WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System);
        delivery.IsCompleted.Should().BeFalse("the receiver still has not answered");
        queued.Items.Should().Be(1);
        (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals")).Should().Be(2);

        S.Clock.Advance(new NotifyOptions().RunTimeout);
        var result = await delivery.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System);

        result.Outcome.Should().Be(StageOutcome.Failed);
        var attempt = (await S.Db.QueryAsync<(string Status, long Attempts, string? LeaseOwner)>(
            "SELECT status, attempts, lease_owner FROM deliveries ORDER BY notification_id LIMIT 1")).Single();
        attempt.Should().Be(("pending", 1L, (string?)null), "a timed-out attempt is a failed attempt, and its claim is released");
    }

    [SkippableFact]
    public async Task DeliverAsync_ShutdownWhileSending_ClaimHandedBackNoAttemptCounted()
    {
        using var hanging = new HangingReceiver();
        await S.Db.AddPredictedArticleAsync("005930", S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        var settings = S.Settings();
        settings["Notify:Webhook:Url"] = hanging.Url;
        await using var services = S.Db.BuildServices(S.Clock, settings);
        await QueueAsync(services);
        using var shutdown = new CancellationTokenSource();

        var delivery = services.GetRequiredService<Worker.Notify.Delivery.DeliveryService>().RunAsync(deliverNow: false, shutdown.Token);
        await hanging.Connected.Task.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System);
        await shutdown.CancelAsync();
        var stopped = async () => await delivery.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System);

        await stopped.Should().ThrowAsync<OperationCanceledException>();
        var row = (await S.Db.QueryAsync<(string Status, long Attempts, string? LeaseOwner, string LastError)>(
            "SELECT status, attempts, lease_owner, last_error FROM deliveries")).Single();
        row.Should().Be(("pending", 0L, (string?)null, "interrupted by shutdown"), "the next process takes it at once instead of waiting out the lease");
    }

    private static async Task<StageResult> QueueAsync(IServiceProvider services)
    {
        await services.GetRequiredService<SignalStage>().RunAsync(new StageContext(), CancellationToken.None);
        return await services.GetRequiredService<NotifyStage>().RunAsync(new StageContext(), CancellationToken.None);
    }

    /// <summary>Accepts connections and reads requests, and never answers: a receiver that hangs.</summary>
    private sealed class HangingReceiver : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _clients = [];

        public HangingReceiver()
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook";
            _ = AcceptAsync();
        }

        public string Url { get; }

        public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose()
        {
            _listener.Stop();
            lock (_clients)
            {
                _clients.ForEach(c => c.Dispose());
            }
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync();
                    lock (_clients)
                    {
                        _clients.Add(client);
                    }

                    Connected.TrySetResult();
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // stopped
            }
        }
    }

    public sealed class OnSqlite() : ExpiryAndIsolationTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : ExpiryAndIsolationTests(StorageProvider.Postgres);
}
