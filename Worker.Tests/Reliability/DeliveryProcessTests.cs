using System.Globalization;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Reliability;

/// <summary>
/// The real binary, several at once over one database: claims make overlapping runs share the deliveries and never
/// double one, on the webhook and on Telegram (which cannot drop a repeat); a run killed while it holds a claim
/// loses nothing, and its claim is taken over once its lease runs out.
/// </summary>
public sealed class DeliveryProcessTests : IDisposable
{
    private const int Messages = 6; // three signals and three prediction digests

    private readonly ProcessScenario _s = new();
    private readonly WebhookReceiver _receiver = new();

    public void Dispose()
    {
        _receiver.Dispose();
        _s.Dispose();
    }

    [Fact]
    public async Task PollOnce_ThreeAtOnceOverPendingQueue_EachMessageDeliveredOnceToWebhookAndTelegram()
    {
        var environment = await QueuePendingAsync();

        // Three runs at once over the same six pending messages, each answer a little slow so that they overlap.
        _receiver.Status = 200;
        _receiver.AnswerDelay = TimeSpan.FromMilliseconds(40);
        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => _s.RunAsync(environment, "poll-once")));

        runs.Should().OnlyContain(r => r.ExitCode == 0, string.Join("\n---\n", runs.Select(r => r.StandardOutput + r.StandardError)));
        var accepted = _receiver.Requests.Where(r => r.Status == 200).ToList();
        var webhook = accepted.Where(r => r.Path.TrimEnd('/') == "/hook").ToList();
        var telegram = accepted.Where(r => r.Path.EndsWith("/sendMessage", StringComparison.Ordinal)).ToList();
        var keys = await _s.QueryAsync<string>("SELECT idempotency_key FROM notifications");
        keys.Should().HaveCount(Messages);
        webhook.Select(r => r.Key).Should().BeEquivalentTo(keys, "each message reached the webhook exactly once");
        telegram.Should().HaveCount(Messages).And.OnlyHaveUniqueItems(r => r.Body, "each message reached Telegram exactly once");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'")).Should().Be(2 * Messages);
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM deliveries WHERE lease_owner IS NOT NULL")).Should().Be(0, "every claim was released");
    }

    [LinuxFact("expects exit code 137, a SIGKILL's")]
    public async Task PollOnce_KilledWhileHoldingClaim_RestartTakesItOverAndDeliversItOnce()
    {
        var environment = await QueuePendingAsync();
        environment.Remove("Notify__Telegram__BotToken");
        environment.Remove("Notify__Telegram__ChatId");

        // The receiver has read the first request; before it answers, the sender is killed: the claim is held by a dead process.
        var started = new TaskCompletionSource<WorkerProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.Status = 200;
        _receiver.BeforeFirstAnswer = async () => (await started.Task).Kill();
        await using (var first = _s.Start(environment, "poll-once"))
        {
            started.SetResult(first);
            (await first.WaitForExitAsync(ProcessScenario.ProcessTimeout)).Should().Be(137, first.StandardError);
        }

        var cutOff = _receiver.Requests[^1]; // read by the receiver, its answer never reached the killed sender
        var seenBeforeRestart = _receiver.Requests.Count;
        var claimed = await _s.QueryAsync<string>("SELECT lease_owner FROM deliveries WHERE channel = 'webhook' AND lease_owner IS NOT NULL");
        claimed.Should().ContainSingle("the killed run held one claim");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM deliveries WHERE channel = 'webhook' AND status = 'sent'")).Should().Be(0);

        // A restart before the lease ends leaves that one alone; one after it (its clock 10 minutes on) takes it over.
        _receiver.BeforeFirstAnswer = null;
        var early = await _s.RunAsync(environment, "poll-once");
        _receiver.Requests.Skip(seenBeforeRestart).Should().NotContain(r => r.Key == cutOff.Key, "its claim was still the dead run's");
        environment["Clock__StartAt"] = (TimeProvider.System.GetUtcNow() + TimeSpan.FromMinutes(10)).ToString("O", CultureInfo.InvariantCulture);
        var late = await _s.RunAsync(environment, "poll-once");

        early.ExitCode.Should().Be(0, early.StandardError);
        late.ExitCode.Should().Be(0, late.StandardError);
        var afterRestart = _receiver.Requests.Skip(seenBeforeRestart).Where(r => r.Path.TrimEnd('/') == "/hook").ToList();
        afterRestart.Should().OnlyContain(r => r.Status == 200);
        afterRestart.Select(r => r.Key).Should().OnlyHaveUniqueItems().And.HaveCount(Messages, "after the restarts every message, the cut-off one included, went out once")
            .And.Contain(cutOff.Key);
        afterRestart.Single(r => r.Key == cutOff.Key).Body.Should().Be(cutOff.Body, "the taken-over delivery carries the same bytes under the same key");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM deliveries WHERE channel = 'webhook' AND status = 'sent'")).Should().Be(Messages);
    }

    [Fact]
    public async Task PollOnce_SecretNotStandardWebhooks_Exit78NamingKeyNotValue()
    {
        var environment = _s.Environment();
        environment["Notify__Webhook__Url"] = _receiver.Url;
        environment["Notify__Webhook__Secret"] = "hunter2-plain-secret";

        var (exitCode, stdout, stderr) = await _s.RunAsync(environment, "poll-once");

        exitCode.Should().Be(78, stdout + stderr);
        stderr.Should().Contain("Notify:Webhook:Secret").And.Contain("whsec_");
        (stdout + stderr).Should().NotContain("hunter2");
    }

    [Fact]
    public async Task NotifyNewSecret_Run_PrintsFreshStandardWebhooksSecret()
    {
        var first = await _s.RunAsync(_s.Environment(), "notify", "new-secret");
        var second = await _s.RunAsync(_s.Environment(), "notify", "new-secret");

        first.ExitCode.Should().Be(0, first.StandardError);
        var secret = first.StandardOutput.Trim();
        Worker.Notify.Channels.WebhookSecret.TryDecode(secret).Should().HaveCount(32);
        second.StandardOutput.Trim().Should().NotBe(secret);
    }

    /// <summary>One poll-once while both receivers answer 503: six messages queued and pending for both channels.</summary>
    private async Task<Dictionary<string, string?>> QueuePendingAsync()
    {
        _s.ServeUpstream(
        [
            new("sig-1", "005930", "삼성전자 어닝서프라이즈에 주가 급등", 0.9),
            new("sig-2", "000660", "SK하이닉스 상한가, 대규모 수주", 0.8),
            new("sig-3", "035420", "네이버 흑자전환에 급등", 0.85),
        ]);
        var environment = _s.Environment();
        environment["Notify__Webhook__Url"] = _receiver.Url;
        environment["Notify__Webhook__Secret"] = Notify.OutboxScenario.Secret;
        environment["Notify__Telegram__BaseUrl"] = _receiver.Url.TrimEnd('/');
        environment["Notify__Telegram__BotToken"] = "4242:process-test-token";
        environment["Notify__Telegram__ChatId"] = "7";
        environment["Notify__Predictions"] = "true";
        environment["Notify__HttpRetries"] = "0";
        environment["Notify__MaxAge"] = "1.00:00:00"; // a later clock below must not expire them at a window's edge

        _receiver.Status = 503;
        var (exitCode, stdout, stderr) = await _s.RunAsync(environment, "poll-once");
        exitCode.Should().Be(1, $"delivery failed, the rest worked\nstdout:\n{stdout}\nstderr:\n{stderr}");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'")).Should().Be(2 * Messages);
        return environment;
    }
}
