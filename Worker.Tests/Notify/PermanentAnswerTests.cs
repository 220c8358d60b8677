using KrxSignal.Worker.Cli;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Notify;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Notify;

/// <summary>Receivers that answer what real ones do: 410, 401, 400 for one message, a redirect.</summary>
public abstract class PermanentAnswerTests(StorageProvider provider) : OutboxScenarioTest(provider), IDisposable
{
    private static readonly string[] Tickers = ["005930", "000660", "035420"];

    private readonly TempFolder _logs = new();

    public void Dispose()
    {
        _logs.Dispose();
        GC.SuppressFinalize(this);
    }

    [SkippableFact]
    public async Task RunAsync_Webhook410_ChannelDisabledNoFurtherAttemptsResumableNothingLost()
    {
        S.Answer(OutboxScenario.WebhookPath, 410, "gone");
        await AddSignalsAsync();
        await using var services = S.Db.BuildServices(S.Clock, S.Settings());

        var first = await OutboxScenario.RunAsync(services);
        for (var i = 0; i < 5; i++)
        {
            S.Clock.Advance(TimeSpan.FromMinutes(10));
            await OutboxScenario.RunAsync(services, deliverNow: true);
        }

        first.Outcome.Should().Be(StageOutcome.Failed);
        S.Requests(OutboxScenario.WebhookPath).Should().ContainSingle("a 410 is not retried: the channel is disabled");
        (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND attempts = 0")).Should().Be(3, "every message waits, none used up an attempt");
        (await S.Db.ScalarAsync<string>("SELECT state FROM notify_channels WHERE channel = 'webhook'")).Should().Be("disabled");
        var draft = await HeartbeatAsync(services);
        draft.Status.Should().Be(HealthStatus.Degraded);
        draft.Reasons.Should().Contain(r => r.Contains("webhook disabled", StringComparison.Ordinal) && r.Contains("notify resume webhook", StringComparison.Ordinal));

        var exitCode = await WorkerCommandLine.InvokeAsync(["notify", "resume", "webhook"], CliSettings());
        S.Server.ResetMappings();
        S.Answer(OutboxScenario.WebhookPath, 200);
        var resumed = await OutboxScenario.RunAsync(services);

        exitCode.Should().Be(0);
        resumed.Items.Should().Be(3, "after `notify resume` the waiting messages go out");
        (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals WHERE status = 'sent'")).Should().Be(3);
        (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM notify_channels")).Should().Be(0);
    }

    [SkippableFact]
    public async Task RunAsync_DisabledBy410ThenUrlChanged_ChannelEnabledAgain()
    {
        S.Answer(OutboxScenario.WebhookPath, 410);
        S.Answer("/hooks/moved", 200);
        await AddSignalsAsync();
        await using (var before = S.Db.BuildServices(S.Clock, S.Settings()))
        {
            await OutboxScenario.RunAsync(before);
        }

        var settings = S.Settings();
        settings["Notify:Webhook:Url"] = S.Server.Url + "/hooks/moved";
        await using var after = S.Db.BuildServices(S.Clock, settings);
        var result = await OutboxScenario.RunAsync(after);

        result.Items.Should().Be(3);
        S.Requests("/hooks/moved").Should().HaveCount(3);
    }

    [SkippableFact]
    public async Task RunAsync_Webhook401_ChannelUnhealthyMessagesWaitThenProbeDelivers()
    {
        S.Answer(OutboxScenario.WebhookPath, 401, "bad signature");
        await AddSignalsAsync();
        await using var services = S.Db.BuildServices(S.Clock, S.Settings());

        await OutboxScenario.RunAsync(services);
        S.Clock.Advance(TimeSpan.FromMinutes(1));
        await OutboxScenario.RunAsync(services);
        var draft = await HeartbeatAsync(services);
        var doctor = await services.GetServices<KrxSignal.Worker.Health.Doctor.IDoctorCheck>().OfType<ChannelsDoctorCheck>().Single().RunAsync(CancellationToken.None);

        S.Requests(OutboxScenario.WebhookPath).Should().ContainSingle("an unhealthy channel is probed every BlockedProbeInterval, not every run");
        (await S.Db.ScalarAsync<long>("SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND attempts = 0")).Should().Be(3);
        draft.Status.Should().Be(HealthStatus.Degraded);
        draft.Reasons.Should().Contain(r => r.Contains("webhook unhealthy", StringComparison.Ordinal) && r.Contains("HTTP 401", StringComparison.Ordinal));
        doctor.Passed.Should().BeFalse();
        doctor.Detail.Should().Contain("HTTP 401");

        S.Server.ResetMappings();
        S.Answer(OutboxScenario.WebhookPath, 200);
        S.Clock.Advance(new NotifyOptions().BlockedProbeInterval);
        var fixedRun = await OutboxScenario.RunAsync(services);

        fixedRun.Items.Should().Be(3);
        (await HeartbeatAsync(services)).Status.Should().Be(HealthStatus.Healthy);
    }

    [SkippableFact]
    public async Task RunAsync_400ForOneMessage_ThatOneFailedWithAnswerOthersDelivered()
    {
        S.Server.Given(Request.Create().WithPath(OutboxScenario.WebhookPath).UsingPost().WithBody(new WildcardMatcher("*000660*")))
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(400).WithBody("{\"error\":\"unknown field\"}\n\u001b[31mforged log line"));
        S.Server.Given(Request.Create().WithPath(OutboxScenario.WebhookPath).UsingPost()).AtPriority(2).RespondWith(Response.Create().WithStatusCode(200));
        await AddSignalsAsync();
        var logs = new FakeLogCollector();
        await using var services = S.Db.BuildServices(S.Clock, S.Settings(), s => s.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs))));

        var result = await OutboxScenario.RunAsync(services);

        result.Items.Should().Be(2, "the messages after the rejected one went out in the same run");
        S.Requests(OutboxScenario.WebhookPath).Should().HaveCount(3, "the rejected message is not retried");
        var rejected = (await S.Db.QueryAsync<(string Ticker, string Status, string LastError)>(
            "SELECT ticker, status, last_error FROM signals WHERE status <> 'sent'")).Single();
        rejected.Ticker.Should().Be("000660");
        rejected.Status.Should().Be("failed");
        rejected.LastError.Should().Be("webhook: HTTP 400 Bad Request: {\"error\":\"unknown field\"}\\n\\u001b[31mforged log line", "the receiver's answer, escaped");
        logs.GetSnapshot().Should().Contain(r => r.Message.Contains("REJECTED by webhook", StringComparison.Ordinal));
        (await HeartbeatAsync(services)).Status.Should().Be(HealthStatus.Degraded);
    }

    [SkippableFact]
    public async Task RunAsync_Webhook302_NotDeliveredReasonNamesStatusAndLocation()
    {
        S.Server.Given(Request.Create().WithPath(OutboxScenario.WebhookPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", S.Server.Url + "/elsewhere?token=s3cr3t"));
        S.Server.Given(Request.Create().WithPath("/elsewhere")).RespondWith(Response.Create().WithStatusCode(200));
        await AddSignalsAsync(1);
        var logs = new FakeLogCollector();
        await using var services = S.Db.BuildServices(S.Clock, S.Settings(), s => s.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs))));

        var result = await OutboxScenario.RunAsync(services);

        result.Items.Should().Be(0);
        S.Server.LogEntries.Should().ContainSingle("the redirect was not followed").Which.RequestMessage!.Method.Should().Be("POST");
        var signal = (await S.Db.QueryAsync<(string Status, string? NotifiedAt, string LastError)>("SELECT status, notified_at, last_error FROM signals")).Single();
        signal.Status.Should().Be("pending");
        signal.NotifiedAt.Should().BeNull();
        signal.LastError.Should().Be($"webhook: HTTP 302 Found to {S.Server.Url}/elsewhere: a redirect is not a delivery (redirects are not followed)");
        logs.GetSnapshot().Should().Contain(r => r.Message.Contains("HTTP 302 Found to", StringComparison.Ordinal))
            .And.NotContain(r => r.Message.Contains("s3cr3t", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task RunAsync_DeliveredAfterTwoFailures_SaysHowLate()
    {
        S.Answer(OutboxScenario.WebhookPath, 500);
        await AddSignalsAsync(1);
        await using var services = S.Db.BuildServices(S.Clock, S.Settings());
        await OutboxScenario.RunAsync(services);
        S.Clock.Advance(TimeSpan.FromMinutes(1));
        await OutboxScenario.RunAsync(services);
        S.Server.ResetMappings();
        S.Answer(OutboxScenario.WebhookPath, 200);
        S.Clock.Advance(TimeSpan.FromMinutes(2));

        await OutboxScenario.RunAsync(services);

        var requests = S.Requests(OutboxScenario.WebhookPath);
        requests.Should().HaveCount(3);
        requests[0].RequestMessage!.Headers!.Should().NotContainKey(Worker.Notify.Channels.WebhookChannel.LateHeader, "a first attempt is not late");
        requests[2].RequestMessage!.Headers![Worker.Notify.Channels.WebhookChannel.LateHeader].Single().Should().Be("180");
    }

    private async Task AddSignalsAsync(int count = 3)
    {
        foreach (var ticker in Tickers.Take(count))
        {
            await S.Db.AddPredictedArticleAsync(ticker, S.Clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        }
    }

    private static async Task<HeartbeatDraft> HeartbeatAsync(IServiceProvider services)
    {
        var draft = new HeartbeatDraft();
        await services.GetServices<IHeartbeatContributor>().OfType<NotificationsHealth>().Single().ContributeAsync(draft, CancellationToken.None);
        return draft;
    }

    private WorkerHostSettings CliSettings() => new()
    {
        ContentRoot = AppContext.BaseDirectory,
        Overrides = new Dictionary<string, string?>(S.Db.StorageSettings)
        {
            ["Heartbeat:Path"] = _logs.File("heartbeat.json"),
            ["Logs:Directory"] = _logs.File("logs"),
        },
    };

    public sealed class OnSqlite() : PermanentAnswerTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : PermanentAnswerTests(StorageProvider.Postgres);
}
