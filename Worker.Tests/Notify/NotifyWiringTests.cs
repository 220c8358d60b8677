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
    private readonly TestHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task RealHost_BothChannels_RefitClientsCreatedAndSendThroughTheirPipelines()
    {
        var server = _host.Server();
        server.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"ok":true}"""));
        using var host = _host.Build(new Dictionary<string, string?>
        {
            ["Notify:Webhook:Url"] = server.Url + "/hook",
            ["Notify:Webhook:Secret"] = OutboxScenario.Secret,
            ["Notify:Telegram:BaseUrl"] = server.Url,
            ["Notify:Telegram:BotToken"] = "1:abc",
            ["Notify:Telegram:ChatId"] = "7",
        });

        var stages = host.Services.GetRequiredService<PipelineRunner>().Stages.Select(s => s.Name).ToList();
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
        server.LogEntries.Select(e => e.RequestMessage!.Path).Should().BeEquivalentTo(["/hook", "/bot1:abc/sendMessage"]);

        host.Dispose(); // flushes the log files
        var logFolder = _host.Folder.File("logs");
        var logged = Directory.Exists(logFolder) ? Directory.EnumerateFiles(logFolder, "*", SearchOption.AllDirectories).Select(File.ReadAllText) : [];
        logged.Should().NotContain(text => text.Contains("1:abc", StringComparison.Ordinal), "the bot token is in Telegram's URL, which is never logged");
    }
}
