using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Reliability;

/// <summary>
/// Issue 6: kill -9 between the webhook's 200 and the notified_at commit. The receiver freezes the Worker (SIGSTOP)
/// when the first delivery arrives, writes its 200, then SIGKILLs it: the answer reached the Worker's socket, but the
/// Worker can never commit it. This is the crash window, hit every time rather than by luck of timing.
/// </summary>
public sealed class NotifyKillTests : IDisposable
{
    private readonly ProcessScenario _s = new();
    private readonly WebhookReceiver _webhook = new();

    public void Dispose()
    {
        _webhook.Dispose();
        _s.Dispose();
    }

    [LinuxFact("freezes the Worker with SIGSTOP")]
    public async Task PollOnce_KilledAfterWebhook200BeforeCommit_RedeliversOnlyThatMessageOnceWithSameKeyAndBody()
    {
        // Lexicon (어닝서프라이즈, 상한가, 흑자전환, 급등, 수주) and sentiment (0.8..0.9) both say up: a buy for each ticker.
        _s.ServeUpstream(
        [
            new("sig-1", "005930", "삼성전자 어닝서프라이즈에 주가 급등", 0.9),
            new("sig-2", "000660", "SK하이닉스 상한가, 대규모 수주", 0.8),
            new("sig-3", "035420", "네이버 흑자전환에 급등", 0.85),
        ]);
        var environment = _s.Environment();
        environment["Notify__Webhook__Url"] = _webhook.Url;
        environment["Notify__Webhook__Secret"] = Notify.OutboxScenario.Secret;
        environment["Notify__MaxAge"] = "1.00:00:00"; // the restart below runs later on its clock: no expiry at a window's edge
        environment["Signals__Quorum"] = "2";

        var started = new TaskCompletionSource<WorkerProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        WorkerProcess? frozen = null;
        _webhook.BeforeFirstAnswer = async () => (frozen = await started.Task).Freeze();
        _webhook.AfterFirstAnswer = () => frozen!.Kill();
        await using (var first = _s.Start(environment, "poll-once"))
        {
            started.SetResult(first);
            var killed = await first.WaitForExitAsync(ProcessScenario.ProcessTimeout);
            killed.Should().Be(137, $"SIGKILL ends the first run at the crash point.\nstdout:\n{first.StandardOutput}\nstderr:\n{first.StandardError}");
        }

        var signals = await _s.ScalarAsync<long>("SELECT COUNT(*) FROM signals WHERE action = 'buy'");
        signals.Should().Be(3);
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM signals WHERE notified_at IS NOT NULL")).Should().Be(0, "the delivery was never committed");
        _webhook.Received.Should().ContainSingle();

        _webhook.BeforeFirstAnswer = null;
        _webhook.AfterFirstAnswer = null;

        // The killed run still holds its claim on that delivery: the restart takes it over once the lease has run
        // out, so it runs on a clock started past the lease (Clock:StartAt) rather than waiting for it.
        environment["Clock__StartAt"] = (TimeProvider.System.GetUtcNow() + TimeSpan.FromMinutes(10)).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var (exitCode, stdout, stderr) = await _s.RunAsync(environment, "poll-once");

        exitCode.Should().Be(0, $"stdout:\n{stdout}\nstderr:\n{stderr}");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM signals")).Should().Be(3, "the rerun made no second signal for any (ticker, action)");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM signals WHERE notified_at IS NOT NULL AND status = 'sent'")).Should().Be(3);
        var keys = await _s.QueryAsync<string>("SELECT idempotency_key FROM notifications ORDER BY id");
        keys.Should().HaveCount(3);

        var received = _webhook.Received;
        received.Should().HaveCount(4, "three messages and one redelivery");
        received.Select(r => r.Key).Should().BeEquivalentTo(keys.Concat(keys.Take(1)), "only the message cut off by the kill is sent again");
        received.GroupBy(r => r.Key).Should().OnlyContain(g => g.Count() <= 2, "at most one redelivery per message");
        var redelivered = received.Where(r => r.Key == keys[0]).ToList();
        redelivered.Should().HaveCount(2);
        redelivered[1].Body.Should().Be(redelivered[0].Body, "the redelivery carries the same bytes under the same key");
    }
}
