using KrxSignal.Worker.Cli;
using KrxSignal.Worker.Health;

namespace KrxSignal.Worker.Tests.Cli;

public sealed class StatusTableTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 19, 1, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Render_FullHeartbeatToARedirectedWriter_PlainTablesOfEverySection()
    {
        using var output = new StringWriter();
        var heartbeat = new HeartbeatDocument
        {
            Status = HealthStatus.Degraded,
            Reasons = ["model gpt-4o circuit open"],
            Pid = 4242,
            Version = "0.1.0",
            StartedAt = Now.AddHours(-2),
            WrittenAt = Now.AddSeconds(-3),
            IntervalSeconds = 15,
            Window = "regular",
            NextPoll = Now.AddMinutes(1),
            Endpoints = new Dictionary<string, EndpointHealth>
            {
                ["portfolio"] = new(Now.AddSeconds(-40), 0, false, null, null),
                ["news-sentiment"] = new(Now.AddMinutes(-12), 3, true, 720, "HTTP 503 [upstream]"),
            },
            Models = new Dictionary<string, ModelHealth> { ["gpt-4o"] = new(true, "open", 0.5, 10, 0.42, 1.0, "json_object, temperature dropped") },
            Backlog = new BacklogHealth(7, 2, 95, 1),
            LastRuns = [new JobRunHealth("poll", Now.AddMinutes(-1), Now.AddMinutes(-1).AddSeconds(1.5), "ok", 12, null)],
            Signals = new SignalsToday(5, [new RecentSignal(Now.AddMinutes(-16), "000660", "SK하이닉스", "buy", 0.61, true, "sent")]),
        };

        StatusTable.Render(StatusTable.CreateConsole(output, isTerminal: false), HeartbeatVerdict.Judge(heartbeat, Now), Now);

        var text = output.ToString();
        text.Should().StartWith("Worker degraded: heartbeat 3s ago from pid 4242");
        text.Should().Contain("model gpt-4o circuit open")
            .And.Contain("regular")
            .And.Contain("2026-11-19 10:31:00 KST (in 1m 0s)")
            .And.Contain("7 articles to predict, 2 notifications to send, oldest 1m 35s, 1 failed")
            .And.Contain("news-sentiment").And.Contain("stale, 720s old").And.Contain("HTTP 503 [upstream]")
            .And.Contain("$0.42 of $1.00")
            .And.Contain("open (json_object, temperature dropped)")
            .And.Contain("1.5s")
            .And.Contain("signals today: 5")
            .And.Contain("2026-11-19 10:14:00 KST").And.Contain("SK하이닉스").And.Contain("buy (reversal)").And.Contain("0.61");
        text.Should().NotContain("\u001b[", "captured output carries no colour codes");
    }

    [Fact]
    public void Render_NoHeartbeat_OnlyTheVerdictLine()
    {
        using var output = new StringWriter();

        StatusTable.Render(StatusTable.CreateConsole(output, isTerminal: false), HeartbeatVerdict.Missing("/var/lib/x/heartbeat.json"), Now);

        output.ToString().Trim().Should().Be("Worker no heartbeat at /var/lib/x/heartbeat.json: the Worker is not running, or has never started with this configuration");
    }
}
