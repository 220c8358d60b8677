using System.Globalization;
using System.Text.RegularExpressions;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Pipeline;
using Microsoft.Extensions.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace KrxSignal.Worker.Tests.StockApi;

public sealed partial class StockApiResilienceTests : IDisposable
{
    private readonly StockApiHarness _api = new();

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Fetch_Http500_RetriesAtOneTwoFourSecondsThenStops()
    {
        OthersHealthy();
        _api.Answer(StockApiHarness.PortfolioPath, 500, """{"detail":"internal"}""");

        var result = await _api.RunCycleAsync();

        var attempts = _api.AttemptTimes(StockApiHarness.PortfolioPath);
        attempts.Should().HaveCount(4, "one attempt and StockApi:MaxRetries (3) retries");
        RetryDelays("portfolio").Should().Equal(1, 2, 4);
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        gaps.Zip([1.0, 2.0, 4.0]).Should().OnlyContain(g => g.First >= g.Second && g.First < g.Second + 1);
        result.Summary.Should().Contain("portfolio failed (HTTP 500");
    }

    [Fact]
    public async Task Fetch_Http500ThenOk_RecoversWithinTheCycle()
    {
        OthersHealthy();
        var request = Request.Create().WithPath(StockApiHarness.PortfolioPath).UsingGet();
        _api.Server.Given(request).InScenario("flaky").WillSetStateTo("up").RespondWith(Response.Create().WithStatusCode(502));
        _api.Server.Given(request).InScenario("flaky").WhenStateIs("up").RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payloads.Portfolio));

        var result = await _api.RunCycleAsync();

        result.Outcome.Should().Be(StageOutcome.Ok);
        _api.AttemptTimes(StockApiHarness.PortfolioPath).Should().HaveCount(2);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(503)]
    public async Task Fetch_StatusNotWorthRetrying_SingleAttempt(int status)
    {
        OthersHealthy();
        _api.Answer(StockApiHarness.PortfolioPath, status, """{"detail":"no"}""");

        var result = await _api.RunCycleAsync();

        _api.AttemptTimes(StockApiHarness.PortfolioPath).Should().HaveCount(1);
        result.Summary.Should().Contain($"portfolio failed (HTTP {status}");
    }

    [Fact]
    public async Task Fetch_Http401_ErrorLogAndHeartbeatUnhealthyWithoutRetryStorm()
    {
        _api.Answer(StockApiHarness.PortfolioPath, 401, """{"detail":"bad key"}""");
        _api.Answer(StockApiHarness.NewsPath, 401, """{"detail":"bad key"}""");
        _api.Answer(StockApiHarness.ScreenerPath, 401, """{"detail":"bad key"}""");

        var result = await _api.RunCycleAsync();
        var heartbeat = await _api.HeartbeatAsync();

        result.Outcome.Should().Be(StageOutcome.Failed);
        _api.Attempts.Should().HaveCount(3, "one request per endpoint, no retries");
        _api.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Error).Select(r => r.Message)
            .Should().Contain(m => m.Contains("portfolio: upstream rejected the key", StringComparison.Ordinal));
        heartbeat.Status.Should().Be(HealthStatus.Unhealthy);
        heartbeat.Reasons.Should().Contain(r => r.StartsWith("upstream rejected the key", StringComparison.Ordinal));
        _api.Logs.GetSnapshot().Should().NotContain(r => r.Message.Contains(StockApiHarness.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fetch_Http429RetryAfterSeconds_WaitsThatLong()
    {
        OthersHealthy();
        RateLimitedOnce("2");

        var result = await _api.RunCycleAsync();

        result.Outcome.Should().Be(StageOutcome.Ok);
        RetryDelays("portfolio").Should().Equal(2);
        var attempts = _api.AttemptTimes(StockApiHarness.PortfolioPath);
        (attempts[1] - attempts[0]).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Fetch_Http429RetryAfterHttpDate_WaitsUntilThatTime()
    {
        OthersHealthy();
        var until = StockApiHarness.Start.AddSeconds(6);
        RateLimitedOnce(until.ToString("R", CultureInfo.InvariantCulture));

        var result = await _api.RunCycleAsync();

        result.Outcome.Should().Be(StageOutcome.Ok);
        RetryDelays("portfolio").Single().Should().BeInRange(5, 6);
        _api.AttemptTimes(StockApiHarness.PortfolioPath)[1].Should().BeOnOrAfter(until);
    }

    [Fact]
    public async Task Fetch_Http429AskingForAnHour_ClampedToMaxRetryAfter()
    {
        OthersHealthy();
        RateLimitedOnce("3600");

        await _api.RunCycleAsync();

        RetryDelays("portfolio").Should().Equal(30);
    }

    [Fact]
    public async Task Fetch_Http429PastTheNextPoll_NoRetry()
    {
        OthersHealthy();
        RateLimitedOnce("20");

        var result = await _api.RunCycleAsync(new StageContext(NextPollAt: StockApiHarness.Start.AddSeconds(10)));

        _api.AttemptTimes(StockApiHarness.PortfolioPath).Should().HaveCount(1);
        result.Summary.Should().Contain("portfolio failed (HTTP 429, rate limited");
    }

    [Theory]
    [InlineData(FaultType.EMPTY_RESPONSE, "empty body")]
    [InlineData(FaultType.MALFORMED_RESPONSE_CHUNK, "malformed JSON")]
    public async Task Fetch_WireMockFault_CountedFailureNotCrash(FaultType fault, string problem)
    {
        OthersHealthy();
        _api.Answer(StockApiHarness.PortfolioPath, Response.Create().WithStatusCode(200).WithBody(Payloads.Portfolio).WithFault(fault));

        var result = await _api.RunCycleAsync();

        result.Outcome.Should().Be(StageOutcome.Partial);
        result.Summary.Should().Contain($"portfolio failed ({problem}");
        (await _api.HeartbeatAsync()).Endpoints!["portfolio"].ConsecutiveFailures.Should().Be(1);
    }

    [Fact]
    public async Task Fetch_ConnectionReset_RetriedThenCountedFailure()
    {
        // WireMock's faults still answer 200; a real reset needs a socket closed with RST.
        using var resetting = new ResettingListener();
        using var api = new StockApiHarness(new Dictionary<string, string?> { ["StockApi:BaseUrl"] = resetting.Url });

        var result = await api.RunCycleAsync();

        result.Outcome.Should().Be(StageOutcome.Failed);
        result.Summary.Should().Contain("portfolio failed (connection failed");
        api.AttemptTimes(StockApiHarness.PortfolioPath).Should().HaveCount(4, "a reset is worth retrying");
    }

    [Fact]
    public async Task Fetch_HangLongerThanAttemptTimeout_TimedOutAndRetried()
    {
        using var api = new StockApiHarness(new Dictionary<string, string?> { ["StockApi:AttemptTimeout"] = "00:00:01" });
        api.Answer(StockApiHarness.PortfolioPath, Response.Create().WithStatusCode(200).WithBody(Payloads.Portfolio).WithDelay(TimeSpan.FromSeconds(4)));
        api.Answer(StockApiHarness.NewsPath, 200, Payloads.News);
        api.Answer(StockApiHarness.ScreenerPath, 200, Payloads.Screener);

        var result = await api.RunCycleAsync(advanceWhileRequestsPending: true);

        result.Summary.Should().Contain("portfolio failed (timed out");
        api.AttemptTimes(StockApiHarness.PortfolioPath).Should().HaveCount(4);
    }

    [Fact]
    public async Task PollWeek_DeadUpstream_BoundedRequestsAndRecoveryWithinOneCycle()
    {
        _api.Answer(StockApiHarness.PortfolioPath, 500, "");
        _api.Answer(StockApiHarness.NewsPath, 500, "");
        _api.Answer(StockApiHarness.ScreenerPath, 500, "");
        var slots = TradingWeekSlots(new DateOnly(2026, 11, 23)).ToList();

        for (var i = 0; i < slots.Count; i++)
        {
            if (_api.Time.GetUtcNow() < slots[i])
            {
                _api.Time.SetUtcNow(slots[i]);
            }

            var failed = await _api.RunCycleAsync(new StageContext(NextPollAt: i + 1 < slots.Count ? slots[i + 1] : null));
            failed.Outcome.Should().Be(StageOutcome.Failed);
        }

        var cycles = slots.Count;
        foreach (var path in new[] { StockApiHarness.PortfolioPath, StockApiHarness.NewsPath, StockApiHarness.ScreenerPath })
        {
            // The first cycle spends its 1 + 3 attempts and opens the circuit; after that one probe per cycle, not four.
            _api.AttemptTimes(path).Count.Should().BeLessThanOrEqualTo(cycles + 3);
        }

        _api.Server.ResetMappings();
        _api.AllHealthy();
        _api.Time.SetUtcNow(new DateTimeOffset(2026, 11, 29, 22, 0, 0, TimeSpan.Zero)); // Monday 07:00 KST
        var recovered = await _api.RunCycleAsync();

        recovered.Outcome.Should().Be(StageOutcome.Ok);
        recovered.Summary.Should().Contain("portfolio ok").And.Contain("news-sentiment ok").And.Contain("screener ok");
        (await _api.HeartbeatAsync()).Status.Should().Be(HealthStatus.Healthy);
    }

    /// <summary>The market windows: 07:00–08:55 and 15:30–19:55 every five minutes, 09:00–15:29 every minute, Monday to Friday.</summary>
    private static IEnumerable<DateTimeOffset> TradingWeekSlots(DateOnly monday)
    {
        var kst = TimeSpan.FromHours(9);
        for (var day = 0; day < 5; day++)
        {
            var date = monday.AddDays(day);
            var at = new DateTimeOffset(date.ToDateTime(new TimeOnly(7, 0)), kst);
            var end = new DateTimeOffset(date.ToDateTime(new TimeOnly(20, 0)), kst);
            while (at < end)
            {
                yield return at.ToUniversalTime();
                var regular = at.TimeOfDay >= new TimeSpan(9, 0, 0) && at.TimeOfDay < new TimeSpan(15, 30, 0);
                at = at.AddMinutes(regular ? 1 : 5);
            }
        }
    }

    private void OthersHealthy()
    {
        _api.Answer(StockApiHarness.NewsPath, 200, Payloads.News);
        _api.Answer(StockApiHarness.ScreenerPath, 200, Payloads.Screener);
    }

    private void RateLimitedOnce(string retryAfter)
    {
        var request = Request.Create().WithPath(StockApiHarness.PortfolioPath).UsingGet();
        _api.Server.Given(request).InScenario("rate").WillSetStateTo("ok")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", retryAfter).WithBody("""{"detail":"slow down"}"""));
        _api.Server.Given(request).InScenario("rate").WhenStateIs("ok")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payloads.Portfolio));
    }

    private List<double> RetryDelays(string endpoint) => _api.Logs.GetSnapshot()
        .Select(r => RetryLine().Match(r.Message))
        .Where(m => m.Success && m.Groups["endpoint"].Value == endpoint)
        .Select(m => double.Parse(m.Groups["delay"].Value, CultureInfo.InvariantCulture))
        .ToList();

    [GeneratedRegex(@"Stock API (?<endpoint>[\w-]+): attempt \d+ failed .*; retrying in (?<delay>[\d.]+) s")]
    private static partial Regex RetryLine();
}
