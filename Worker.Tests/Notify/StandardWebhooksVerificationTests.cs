using System.Text.Json;
using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Tests.Signals;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using WireMock.Logging;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Notify;

/// <summary>
/// Every webhook delivery checked by an independent Standard Webhooks implementation: the npm `standardwebhooks`
/// package, run by node. It checks the signature and that the timestamp is within five minutes of its own clock.
/// </summary>
public abstract class StandardWebhooksVerificationTests(StorageProvider provider) : OutboxScenarioTest(provider)
{
    private const string Package = "standardwebhooks";
    private const string Version = "1.1.1";

    private const string VerifyScript = """
        const { Webhook } = require("standardwebhooks");
        const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const results = cases.map(c => {
          try { new Webhook(c.secret).verify(c.body, c.headers); return "ok"; }
          catch (e) { return "rejected: " + e.message; }
        });
        process.stdout.write(JSON.stringify(results));
        """;

    [SkippableFact]
    public async Task Deliveries_VerifiedByStandardWebhooksLibrary_TamperedBodyAndStaleTimestampFail()
    {
        var folder = await RequiredTools.NpmPackageAsync(Package, Version);
        S.Answer(OutboxScenario.WebhookPath, 200);

        // The library judges timestamps by the real clock, so this clock starts ten minutes before real now:
        // the first message goes out stale, the second (after ten minutes) fresh.
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow() - TimeSpan.FromMinutes(10));
        var current = WebhookSecret.New();
        var settings = S.Settings();
        settings["Notify:Webhook:Secret"] = current;
        settings["Notify:Webhook:PreviousSecret"] = OutboxScenario.Secret;
        await using var services = S.Db.BuildServices(clock, settings);
        await S.Db.AddPredictedArticleAsync("005930", clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        await OutboxScenario.RunAsync(services);
        clock.Advance(TimeSpan.FromMinutes(10));
        await S.Db.AddPredictedArticleAsync("000660", clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.8));
        await OutboxScenario.RunAsync(services);
        var requests = S.Requests(OutboxScenario.WebhookPath);
        requests.Should().HaveCount(2);
        var (stale, fresh) = (requests[0], requests[1]);

        var results = await VerifyAsync(folder,
        [
            Case(current, fresh),
            Case(OutboxScenario.Secret, fresh),
            Case(current, fresh, body: fresh.RequestMessage!.Body!.Replace("005930", "000660", StringComparison.Ordinal).Replace("buy", "sell", StringComparison.Ordinal)),
            Case(current, stale),
            Case(WebhookSecret.New(), fresh),
        ]);

        results[0].Should().Be("ok", "the current secret verifies the fresh delivery");
        results[1].Should().Be("ok", "so does the previous secret during rotation");
        results[2].Should().StartWith("rejected", "a tampered body fails");
        results[3].Should().StartWith("rejected").And.Contain("too old", "a stale timestamp fails, so a captured request cannot be replayed");
        results[4].Should().StartWith("rejected", "another secret fails");
        fresh.RequestMessage!.Headers!["Idempotency-Key"].Single().Should().Be(fresh.RequestMessage.Headers[StandardWebhook.IdHeader].Single());
    }

    private static VerifyCase Case(string secret, ILogEntry entry, string? body = null)
    {
        var headers = entry.RequestMessage!.Headers!;
        return new VerifyCase(secret, body ?? entry.RequestMessage.Body!, new Dictionary<string, string>
        {
            [StandardWebhook.IdHeader] = headers[StandardWebhook.IdHeader].Single(),
            [StandardWebhook.TimestampHeader] = headers[StandardWebhook.TimestampHeader].Single(),
            [StandardWebhook.SignatureHeader] = headers[StandardWebhook.SignatureHeader].Single(),
        });
    }

    private static async Task<IReadOnlyList<string>> VerifyAsync(string folder, IReadOnlyList<VerifyCase> cases)
    {
        var script = Path.Combine(folder, "verify.cjs");
        await File.WriteAllTextAsync(script, VerifyScript);
        var input = JsonSerializer.Serialize(cases.Select(c => new { secret = c.Secret, body = c.Body, headers = c.Headers }));
        var (exitCode, stdout, stderr) = await RequiredTools.RunAsync("node", folder, input, script);
        exitCode.Should().Be(0, stderr);
        return JsonSerializer.Deserialize<string[]>(stdout)!;
    }

    private sealed record VerifyCase(string Secret, string Body, Dictionary<string, string> Headers);

    public sealed class OnSqlite() : StandardWebhooksVerificationTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : StandardWebhooksVerificationTests(StorageProvider.Postgres);
}
