using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Notify.Outbox;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.Notify;

public sealed class NotifyWiringTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly WireMockServer _server = WireMockServer.Start();

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task RealHost_BothChannels_RefitClientsCreatedAndSendThroughTheirPipelines()
    {
        _server.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"ok":true}"""));
        var builder = WorkerHost.CreateBuilder(new WorkerHostSettings
        {
            ContentRoot = AppContext.BaseDirectory,
            Overrides = new Dictionary<string, string?>
            {
                ["Storage:DatabasePath"] = _folder.File("worker.db"),
                ["Heartbeat:Path"] = _folder.File("heartbeat.json"),
                ["Logs:Directory"] = _folder.File("logs"),
                ["Notify:Webhook:Url"] = _server.Url + "/hook",
                ["Notify:Webhook:Secret"] = OutboxScenario.Secret,
                ["Notify:Telegram:BaseUrl"] = _server.Url,
                ["Notify:Telegram:BotToken"] = "1:abc",
                ["Notify:Telegram:ChatId"] = "7",
            },
        });
        using var host = builder.Build();

        var stages = host.Services.GetServices<IPipelineStage>().Select(s => s.Name).ToList();
        var delivery = host.Services.GetRequiredService<KrxSignal.Worker.Notify.Delivery.DeliveryService>();
        var job = ActivatorUtilities.CreateInstance<KrxSignal.Worker.Notify.Delivery.DeliveryJob>(host.Services);
        var channels = host.Services.GetServices<INotificationChannel>().ToList();
        var message = new OutboxMessage(1, "signal", "key-1", """{"type":"signal"}""", "BUY 005930", 0, DateTimeOffset.UnixEpoch);
        var results = await Task.WhenAll(channels.Select(c => c.SendAsync(message, CancellationToken.None)));

        stages.Should().ContainInOrder("signal", "notify");
        delivery.Should().NotBeNull();
        job.Should().NotBeNull("the delivery job resolves from the real host's services");
        channels.Select(c => (c.Name, c.IsConfigured)).Should().Equal(("webhook", true), ("telegram", true));
        results.Should().OnlyContain(r => r.Delivered, "AddRefitGeneratedClient works without Refit.Reflection");
        _server.LogEntries.Select(e => e.RequestMessage!.Path).Should().BeEquivalentTo(["/hook", "/bot1:abc/sendMessage"]);

        host.Dispose(); // flushes the log files
        var logFolder = _folder.File("logs");
        var logged = Directory.Exists(logFolder) ? Directory.EnumerateFiles(logFolder, "*", SearchOption.AllDirectories).Select(File.ReadAllText) : [];
        logged.Should().NotContain(text => text.Contains("1:abc", StringComparison.Ordinal), "the bot token is in Telegram's URL, which is never logged");
    }
}
