using System.Globalization;
using System.Text.Json;
using Dapper;
using KrxSignal.Worker.Tests.StockApi;
using KrxSignal.Worker.Tests.Support;
using Npgsql;
using System.Collections.Concurrent;
using System.Text;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;
using Xunit.Abstractions;

namespace KrxSignal.Worker.Tests.Reliability;

/// <summary>
/// Two real daemons on one PostgreSQL database, on one shifted clock inside Tuesday 2026-11-24's regular window,
/// polling one WireMock upstream and delivering to one WireMock webhook. Each scheduled poll runs on one node; the
/// node caught polling is killed with SIGKILL, and the other takes over once Quartz's check-in threshold has passed.
/// It spends a minute of real time, since two scheduled polls are a minute apart.
/// </summary>
[Collection(MinuteLongFirstOrderer.Prefix + nameof(ClusterProcessTests))]
public sealed class ClusterProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan CheckIn = TimeSpan.FromSeconds(1);

    /// <summary>From 10:11:57 (at the real start) to the 10:13:00 poll.</summary>
    private static readonly TimeSpan SecondPollAfterRealStart = TimeSpan.FromSeconds(63);

    private readonly TempFolder _state = new();
    private readonly WireMockServer _upstream = WireMockServer.Start();
    private readonly WireMockServer _webhook = WireMockServer.Start();
    private readonly ConcurrentQueue<UpstreamCall> _calls = new();

    public void Dispose()
    {
        _upstream.Stop();
        _upstream.Dispose();
        _webhook.Stop();
        _webhook.Dispose();
        _state.Dispose();
    }

    [SkippableFact]
    public async Task Run_TwoNodesOneKilledWhilePolling_EachPollOnceSurvivorTakesOverNothingTwice()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "kills a daemon with SIGKILL and runs PostgreSQL from initdb");
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        ServeUpstream(TimeSpan.FromSeconds(1.5)); // long enough to be caught polling
        _webhook.Given(Request.Create().WithPath("/hook").UsingPost()).RespondWith(Response.Create().WithStatusCode(200));

        // 10:11:57 KST when the test is 6 s old, on both nodes: the first poll at 10:12:00, the next at 10:13:00.
        var realStart = TimeProvider.System.GetUtcNow().AddSeconds(6);
        var nodes = new Dictionary<string, WorkerProcess>();
        try
        {
            foreach (var name in (string[])["node-a", "node-b"])
            {
                nodes[name] = WorkerProcess.Start(WorkerInstall.Shared.Path, ["run"], Environment(name, connectionString, realStart));
            }

            foreach (var node in nodes.Values)
            {
                await node.WaitForOutputAsync("Quartz cluster: this is node", TimeSpan.FromSeconds(30));
            }

            // The node running the 10:12 poll is the one killed, while its upstream calls are in flight.
            await using var db = new NpgsqlConnection(connectionString);
            var polling = await UntilAsync(() => db.QueryFirstOrDefaultAsync<string?>("SELECT node FROM job_runs WHERE job = 'poll' AND status = 'running'"), TimeSpan.FromSeconds(30), nodes);
            var killedInstance = await db.QuerySingleAsync<string>("SELECT instance_name FROM qrtz_scheduler_state WHERE instance_name LIKE @prefix", new { prefix = polling + "#%" });
            await UntilAsync(() => Task.FromResult(_calls.IsEmpty ? null : "called"), TimeSpan.FromSeconds(10), nodes);
            nodes[polling!].Kill();
            var killedAt = TimeProvider.System.GetUtcNow();
            var survivor = nodes.Keys.Single(n => n != polling);

            // Taken over: the survivor's recovery removes the dead node's check-in row and releases the poll triggers it held.
            await UntilAsync(async () => await db.ExecuteScalarAsync<long>("SELECT count(*) FROM qrtz_scheduler_state WHERE instance_name = @killedInstance", new { killedInstance }) == 0 ? "gone" : null, TimeSpan.FromSeconds(30), nodes);
            var takeover = TimeProvider.System.GetUtcNow() - killedAt;
            var nextPoll = await UntilAsync(
                () => db.QueryFirstOrDefaultAsync<string?>("SELECT node FROM job_runs WHERE job = 'poll' AND status <> 'running' AND node = @survivor", new { survivor }),
                TimeSpan.FromSeconds(75),
                nodes);
            var resumed = TimeProvider.System.GetUtcNow() - killedAt;
            await UntilAsync(async () => await db.ExecuteScalarAsync<long>("SELECT count(*) FROM news_articles WHERE predicted_at IS NOT NULL") == 3 ? "predicted" : null, TimeSpan.FromSeconds(20), nodes);
            await UntilAsync(
                async () => await db.ExecuteScalarAsync<long>("SELECT count(*) FROM deliveries") > 0 && await db.ExecuteScalarAsync<long>("SELECT count(*) FROM deliveries WHERE status = 'pending'") == 0 ? "sent" : null,
                TimeSpan.FromSeconds(20),
                nodes);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"killed {polling} mid-poll; {survivor} took over its work {takeover.TotalSeconds:0.0} s later (check-in {CheckIn.TotalSeconds:0} s + threshold {CheckIn.TotalSeconds:0} s) and polled again {resumed.TotalSeconds:0.0} s after the kill, at the next scheduled slot"));

            // Each scheduled poll ran on one node and called the upstream once.
            var polls = (await db.QueryAsync<PollRun>("SELECT fire_time AS FireTime, node AS Node, status AS Status FROM job_runs WHERE job = 'poll' ORDER BY id")).ToList();
            polls.Should().HaveCount(2).And.OnlyHaveUniqueItems(p => p.FireTime);
            polls[0].Node.Should().Be(polling);
            polls[1].Node.Should().Be(survivor);
            // Calls are told apart by slot, not by the kill: a call the dying node sent may be read a moment after it.
            var calls = _calls.ToList();
            var secondSlot = realStart + SecondPollAfterRealStart - TimeSpan.FromSeconds(1);
            foreach (var path in (string[])[StockApiHarness.PortfolioPath, StockApiHarness.NewsPath, StockApiHarness.ScreenerPath])
            {
                // The killed poll got as far as it got; the survivor's made each call once. Neither node doubled one.
                calls.Count(c => c.Path == path && c.At < secondSlot).Should().BeLessThanOrEqualTo(1, path);
                calls.Count(c => c.Path == path && c.At >= secondSlot).Should().Be(1, path);
            }

            calls.Should().Contain(c => c.At < secondSlot, "the killed node was caught calling the upstream");
            takeover.Should().BeLessThan(TimeSpan.FromSeconds(10), "the dead node is declared dead after its check-in interval and threshold, 2 s here");

            // Over the whole run nothing twice: predictions, signals within the dedup window, webhook messages.
            (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM (SELECT article_id, model_id FROM predictions GROUP BY article_id, model_id HAVING count(*) > 1) d")).Should().Be(0);
            (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM predictions")).Should().BeGreaterThan(0);
            (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM (SELECT ticker, action FROM signals GROUP BY ticker, action HAVING count(*) > 1) d")).Should().Be(0);
            var signals = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM signals");
            signals.Should().BeGreaterThan(0);
            var delivered = _webhook.LogEntries.Where(e => e.RequestMessage?.Path == "/hook").Select(e => e.RequestMessage!.Headers!["webhook-id"].Single()).ToList();
            delivered.Should().OnlyHaveUniqueItems().And.HaveCount((int)await db.ExecuteScalarAsync<long>("SELECT count(*) FROM notifications"));
            nextPoll.Should().Be(survivor);

            // The survivor's heartbeat names it, shows it alone in the cluster and as the last poller.
            var heartbeat = await UntilAsync(
                async () =>
                {
                    var path = _state.File($"{survivor}-heartbeat.json");
                    if (!File.Exists(path))
                    {
                        return null;
                    }

                    var text = await File.ReadAllTextAsync(path);
                    using var written = JsonDocument.Parse(text);
                    return written.RootElement.TryGetProperty("cluster", out var c) && c.TryGetProperty("lastPollNode", out var last) && last.GetString() == survivor ? text : null;
                },
                TimeSpan.FromSeconds(20),
                nodes);
            using var document = JsonDocument.Parse(heartbeat!);
            var cluster = document.RootElement.GetProperty("cluster");
            cluster.GetProperty("node").GetString().Should().Be(survivor);
            cluster.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node").GetString()).Should().Equal(survivor);
        }
        finally
        {
            foreach (var node in nodes.Values)
            {
                await node.DisposeAsync();
            }
        }
    }

    private Dictionary<string, string?> Environment(string node, string connectionString, DateTimeOffset realStart) => new()
    {
        ["Storage__Provider"] = "postgres",
        ["Storage__ConnectionString"] = connectionString,
        ["Cluster__NodeName"] = node,
        ["Cluster__CheckinInterval"] = CheckIn.ToString("c", CultureInfo.InvariantCulture),
        ["Cluster__CheckinMisfireThreshold"] = CheckIn.ToString("c", CultureInfo.InvariantCulture),
        ["Clock__StartAt"] = "2026-11-24T10:11:57+09:00",
        ["Clock__StartAtRealTime"] = realStart.ToString("O", CultureInfo.InvariantCulture),
        ["StockApi__BaseUrl"] = _upstream.Url,
        ["StockApi__ApiKey"] = "process-test-key",
        ["StockApi__MaxRetries"] = "0",
        ["StockApi__CacheTtl__Portfolio"] = "00:00:30", // fresh for one poll, expired by the next
        ["StockApi__CacheTtl__NewsSentiment"] = "00:00:30", // fresh for one poll, expired by the next
        ["StockApi__CacheTtl__Screener"] = "00:00:30", // fresh for one poll, expired by the next
        ["Notify__Webhook__Url"] = _webhook.Url + "/hook",
        ["Notify__Webhook__Secret"] = Notify.OutboxScenario.Secret,
        ["Notify__MaxAge"] = "1.00:00:00",
        ["Heartbeat__Path"] = _state.File($"{node}-heartbeat.json"),
        ["Logs__Directory"] = _state.File($"{node}-logs"),
    };

    /// <summary>Three up-beat articles of 2026-11-24 (KST) and a portfolio and screener, each answer after <paramref name="delay"/>.</summary>
    private void ServeUpstream(TimeSpan delay)
    {
        var day = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.FromHours(9));
        (string Id, string Ticker, string Title, double Sentiment)[] articles =
        [
            ("c-1", "005930", "삼성전자 어닝서프라이즈에 주가 급등", 0.9),
            ("c-2", "000660", "SK하이닉스 상한가, 대규모 수주", 0.8),
            ("c-3", "035420", "네이버 흑자전환에 급등", 0.85),
        ];
        var news = JsonSerializer.Serialize(new
        {
            date = "2026-11-24",
            generated_at = day,
            tickers = articles.Select(a => new { ticker = a.Ticker, score = a.Sentiment, article_count = 1 }),
            articles = articles.Select((a, i) => new
            {
                id = a.Id, ticker = a.Ticker, title = a.Title, summary = (string?)null, source = "연합뉴스",
                url = $"https://news.example/{a.Id}", published_at = day.AddMinutes(i), sentiment = a.Sentiment,
            }),
        });
        Answer(Request.Create().WithPath(StockApiHarness.PortfolioPath).UsingGet(), Payloads.Portfolio, delay);
        Answer(Request.Create().WithPath(StockApiHarness.NewsPath).UsingGet(), news, delay);
        Answer(Request.Create().WithPath(StockApiHarness.ScreenerPath).UsingPost(), Payloads.Screener, delay);
    }

    /// <summary>Records each call as it arrives (a call cut off by the kill included), then answers after <paramref name="delay"/>.</summary>
    private void Answer(IRequestBuilder request, string body, TimeSpan delay) =>
        _upstream.Given(request).RespondWith(Response.Create().WithCallback(async message =>
        {
            _calls.Enqueue(new UpstreamCall(message.Path, TimeProvider.System.GetUtcNow()));
            await Task.Delay(delay, TimeProvider.System);
            return new ResponseMessage
            {
                StatusCode = 200,
                Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
                BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
            };
        }));

    /// <summary>Polls until <paramref name="probe"/> answers; bounded, and names what each node printed when it never does.</summary>
    private static async Task<string?> UntilAsync(Func<Task<string?>> probe, TimeSpan timeout, IReadOnlyDictionary<string, WorkerProcess> nodes)
    {
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
        while (true)
        {
            try
            {
                if (await probe() is { } answer)
                {
                    return answer;
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // Not migrated yet.
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"Nothing after {timeout}.\n" + string.Join("\n", nodes.Select(n => $"--- {n.Key}\nstdout:\n{n.Value.StandardOutput}\nstderr:\n{n.Value.StandardError}")));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
    }

    private sealed record UpstreamCall(string Path, DateTimeOffset At);

    private sealed record PollRun(DateTime FireTime, string? Node, string Status);
}
