using KrxSignal.Worker.Pipeline;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.StockApi;

public sealed class RedirectTests : IAsyncLifetime, IDisposable
{
    private StockApiHarness _api = null!;
    private readonly WireMockServer _elsewhere = WireMockServer.Start();

    public async Task InitializeAsync() => _api = await StockApiHarness.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _elsewhere.Stop();
        _elsewhere.Dispose();
        _api.Dispose();
    }

    [Fact]
    public async Task Fetch_SameOriginRedirect_FollowedWithTheKey()
    {
        _api.AllHealthy();
        _api.Server.Given(Request.Create().WithPath(StockApiHarness.PortfolioPath).UsingGet()).AtPriority(-1)
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", "/api/webai/portfolio-moved"));
        _api.Answer("/api/webai/portfolio-moved", 200, Payloads.Portfolio);

        var result = await _api.RunCycleAsync();

        result.Outcome.Should().Be(StageOutcome.Ok);
        _api.Attempts.Where(a => a.Path.StartsWith("/api/webai/portfolio", StringComparison.Ordinal)).Select(a => (a.Path, a.Key))
            .Should().Equal(("/api/webai/portfolio", StockApiHarness.ApiKey), ("/api/webai/portfolio-moved", StockApiHarness.ApiKey));
    }

    [Fact]
    public async Task Fetch_307ToAnotherPort_NotSentNotRetriedAndHeartbeatNamesTheLocation()
    {
        _api.AllHealthy();
        var location = $"{_elsewhere.Url}/api/stock/screener/run";
        _api.Server.Given(Request.Create().WithPath(StockApiHarness.ScreenerPath).UsingPost()).AtPriority(-1)
            .RespondWith(Response.Create().WithStatusCode(307).WithHeader("Location", location));

        var result = await _api.RunCycleAsync();

        _elsewhere.LogEntries.Should().BeEmpty();
        result.Outcome.Should().Be(StageOutcome.Partial);
        _api.AttemptTimes(StockApiHarness.ScreenerPath).Should().HaveCount(1, "a refused redirect is not worth retrying");
        var heartbeat = await _api.HeartbeatAsync();
        heartbeat.Endpoints!["screener"].LastError.Should().Be($"HTTP 307 redirect to another origin refused (Location {location})");
        heartbeat.Reasons.Should().Contain(r => r.Contains(location, StringComparison.Ordinal));
        _api.Logs.GetSnapshot().Should().Contain(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Error && r.Message.Contains(location, StringComparison.Ordinal));
    }
}
