using KrxSignal.Worker.Notify;
using KrxSignal.Worker.Notify.Delivery;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Signals;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Signals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.Notify;

/// <summary>A database, a fake clock and a WireMock receiver on loopback, wired like the daemon's signal and notify stages.</summary>
public sealed class OutboxScenario : IAsyncDisposable
{
    public const string WebhookPath = "/hooks/krx";
    // The Standard Webhooks specification's example secret (24 bytes, base64).
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string BotToken = "123456:TEST-bot-token";

    private OutboxScenario(SignalsTestDatabase db)
    {
        Db = db;
        Server = WireMockServer.Start();
        Clock = SignalsTestDatabase.NewClock();
    }

    public SignalsTestDatabase Db { get; }

    public WireMockServer Server { get; }

    public FakeTimeProvider Clock { get; }

    public const string TelegramPath = $"/bot{BotToken}/sendMessage";

    public static async Task<OutboxScenario> CreateAsync(StorageProvider provider = StorageProvider.Sqlite) => new(await SignalsTestDatabase.CreateAsync(provider));

    public Dictionary<string, string?> Settings(bool webhook = true, bool telegram = false, bool predictions = false) => new()
    {
        ["Notify:Webhook:Url"] = webhook ? Server.Url! + WebhookPath : null,
        ["Notify:Webhook:Secret"] = webhook ? Secret : null,
        ["Notify:Telegram:BaseUrl"] = Server.Url!,
        ["Notify:Telegram:BotToken"] = telegram ? BotToken : null,
        ["Notify:Telegram:ChatId"] = telegram ? "42" : null,
        ["Notify:Predictions"] = predictions ? "true" : "false",
        // No in-call HTTP retries: their delays would wait on the fake clock. The outbox's own backoff is under test.
        ["Notify:HttpRetries"] = "0",
    };

    public void Answer(string path, int status, string? body = null)
    {
        var response = Response.Create().WithStatusCode(status);
        Server.Given(Request.Create().WithPath(path).UsingPost()).RespondWith(body is null ? response : response.WithBody(body));
    }

    public IReadOnlyList<ILogEntry> Requests(string path) => Server.LogEntries.Where(e => e.RequestMessage!.Path == path).ToList();

    public static string Key(ILogEntry entry) => entry.RequestMessage!.Headers!["Idempotency-Key"].Single();

    public static int Status(ILogEntry entry) => Convert.ToInt32(entry.ResponseMessage!.StatusCode, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What one daemon minute does: the signal and notify stages (queueing), then a delivery run.</summary>
    /// <returns>The delivery run's result.</returns>
    public static async Task<StageResult> RunAsync(IServiceProvider services, bool deliverNow = false)
    {
        await services.GetRequiredService<SignalStage>().RunAsync(new StageContext(DeliverNow: deliverNow), CancellationToken.None);
        await services.GetRequiredService<NotifyStage>().RunAsync(new StageContext(DeliverNow: deliverNow), CancellationToken.None);
        return await DeliverAsync(services, deliverNow);
    }

    public static Task<StageResult> DeliverAsync(IServiceProvider services, bool deliverNow = false) =>
        services.GetRequiredService<DeliveryService>().RunAsync(deliverNow, CancellationToken.None);

    /// <summary>Answers <paramref name="status"/> with extra headers (a Location, a Retry-After).</summary>
    public void Answer(string path, int status, string? body, params (string Name, string Value)[] headers)
    {
        var response = Response.Create().WithStatusCode(status);
        foreach (var (name, value) in headers)
        {
            response = response.WithHeader(name, value);
        }

        Server.Given(Request.Create().WithPath(path).UsingPost()).RespondWith(body is null ? response : response.WithBody(body));
    }

    public async ValueTask DisposeAsync()
    {
        Server.Stop();
        Server.Dispose();
        await Db.DisposeAsync();
    }
}
