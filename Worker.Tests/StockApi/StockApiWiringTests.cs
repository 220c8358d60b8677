using KrxSignal.Worker.Cli;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Testing;
using Polly.Timeout;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.StockApi;

public sealed class StockApiWiringTests : IDisposable
{
    private readonly TestHost _host = new();
    private readonly WireMockServer _server;

    public StockApiWiringTests() => _server = _host.Server();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task RealHost_ResolvesRefitClientPollStageAndDoctorCheck_AndTheClientCallsUpstream()
    {
        _server.Given(Request.Create().WithPath(StockApiHarness.PortfolioPath).UsingGet().WithHeader("X-WebAI-Key", "wired-key"))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payloads.Portfolio));
        using var host = BuildHost(new() { ["StockApi:BaseUrl"] = _server.Url, ["StockApi:ApiKey"] = "wired-key" });

        // The source-generated Refit client registered by AddRefitGeneratedClient: AddRefitClient would throw here without Refit.Reflection.
        var api = host.Services.GetRequiredService<IStockApi>();
        using var response = await api.GetPortfolioAsync(CancellationToken.None);

        response.IsSuccessStatusCode.Should().BeTrue();
        api.Should().NotBeAssignableTo<IDisposable>("one is resolved per cycle from the root container, which would keep every disposable one until shutdown");
        host.Services.GetRequiredService<PipelineRunner>().Stages.Select(s => s.Name).Should().Equal("poll", "predict", "signal", "notify");
        host.Services.GetServices<IDoctorCheck>().Select(c => c.Name).Should().Contain("stock-api");
        var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(StockApiServiceCollectionExtensions.HttpClientName);
        client.BaseAddress.Should().Be(new Uri(_server.Url + "/"));
        client.Timeout.Should().Be(Timeout.InfiniteTimeSpan, "the attempt timeout of the resilience pipeline is the one that binds");
    }

    [Fact]
    public void RealHost_EveryEndpointPipeline_RetryThenCircuitBreakerThenAttemptTimeoutInnermost()
    {
        using var host = BuildHost(new() { ["StockApi:BaseUrl"] = _server.Url, ["StockApi:AttemptTimeout"] = "00:00:07", ["StockApi:MaxRetries"] = "2" });
        var fetchers = host.Services.GetRequiredService<StockApiFetchers>();

        foreach (var pipeline in new[] { fetchers.Portfolio.Pipeline, fetchers.NewsSentiment.Pipeline, fetchers.Screener.Pipeline })
        {
            var strategies = pipeline.GetPipelineDescriptor().Strategies;

            // Innermost timeout: it covers the whole attempt, reading the body included, and each retry gets its own.
            strategies.Select(s => s.Options?.GetType()).Should().Equal(
                typeof(RetryStrategyOptions<UpstreamAnswer>), typeof(CircuitBreakerStrategyOptions<UpstreamAnswer>), typeof(TimeoutStrategyOptions));
            strategies[0].Options.Should().BeOfType<RetryStrategyOptions<UpstreamAnswer>>().Which.MaxRetryAttempts.Should().Be(2);
            strategies[2].Options.Should().BeOfType<TimeoutStrategyOptions>().Which.Timeout.Should().Be(TimeSpan.FromSeconds(7));
        }
    }

    [Fact]
    public async Task DoctorCheck_KeyRejected_FailsWithTheFix()
    {
        _server.Given(Request.Create().WithPath(StockApiHarness.PortfolioPath).UsingGet()).RespondWith(Response.Create().WithStatusCode(401));
        using var host = BuildHost(new() { ["StockApi:BaseUrl"] = _server.Url, ["StockApi:ApiKey"] = "wrong" });

        var result = await StockApiCheck(host).RunAsync(CancellationToken.None);

        result.Passed.Should().BeFalse();
        result.Detail.Should().Contain("upstream rejected the key");
        result.Fix.Should().Be("check StockApi__ApiKey");
    }

    [Fact]
    public async Task DoctorCheck_ReachableAndAccepted_Passes()
    {
        _server.Given(Request.Create().WithPath(StockApiHarness.PortfolioPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payloads.Portfolio));
        using var host = BuildHost(new() { ["StockApi:BaseUrl"] = _server.Url, ["StockApi:ApiKey"] = "right" });

        var result = await StockApiCheck(host).RunAsync(CancellationToken.None);

        result.Passed.Should().BeTrue();
        result.Detail.Should().StartWith("reachable, key accepted");
    }

    [Fact]
    public async Task DoctorCheck_RedirectToAnotherOrigin_FailsNamingTheLocationAndSendsNothingThere()
    {
        using var elsewhere = WireMockServer.Start();
        _server.Given(Request.Create().WithPath(StockApiHarness.PortfolioPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", $"{elsewhere.Url}/portfolio"));
        using var host = BuildHost(new() { ["StockApi:BaseUrl"] = _server.Url, ["StockApi:ApiKey"] = "right" });

        var result = await StockApiCheck(host).RunAsync(CancellationToken.None);

        result.Passed.Should().BeFalse();
        result.Detail.Should().Be($"HTTP 302 redirect to another origin refused (Location {elsewhere.Url}/portfolio)");
        elsewhere.LogEntries.Should().BeEmpty();
    }

    [Fact]
    public async Task DoctorCheck_Unreachable_Fails()
    {
        using var host = BuildHost(new() { ["StockApi:BaseUrl"] = "http://127.0.0.1:9" });

        var result = await StockApiCheck(host).RunAsync(CancellationToken.None);

        result.Passed.Should().BeFalse();
        result.Detail.Should().StartWith("unreachable");
    }

    [Fact]
    public async Task PollOnce_BaseUrlUnset_ExitsTwo()
    {
        var exitCode = await WorkerCommandLine.InvokeAsync(["poll-once"], Settings(new() { ["StockApi:BaseUrl"] = "" }));

        exitCode.Should().Be(2);
    }

    [Fact]
    public async Task PollOnce_HealthyUpstream_MigratesRunsEveryStageAndExitsByOutcome()
    {
        _server.Given(Request.Create().WithPath(StockApiHarness.PortfolioPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payloads.Portfolio));
        _server.Given(Request.Create().WithPath(StockApiHarness.NewsPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payloads.News));
        _server.Given(Request.Create().WithPath(StockApiHarness.ScreenerPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payloads.Screener));

        var exitCode = await WorkerCommandLine.InvokeAsync(["poll-once"], Settings(new() { ["StockApi:BaseUrl"] = _server.Url }));

        // Later stages land with their own features; whatever they report, a poll that got everything is not "failed".
        exitCode.Should().BeOneOf(0, 1);
        _server.LogEntries.Should().HaveCount(3);
        File.Exists(_host.DatabasePath).Should().BeTrue();
    }

    [Theory]
    [InlineData(StageOutcome.Ok, StageOutcome.Ok, 0)]
    [InlineData(StageOutcome.Partial, StageOutcome.Ok, 1)]
    [InlineData(StageOutcome.Ok, StageOutcome.Failed, 1)]
    [InlineData(StageOutcome.Failed, StageOutcome.Ok, 2)]
    public void PollOnceExitCode_ByStageOutcomes_ZeroOneOrTwo(StageOutcome poll, StageOutcome predict, int expected)
    {
        var results = new List<StageRun> { new("poll", new StageResult(poll, 0, "")), new("predict", new StageResult(predict, 0, "")) };

        PollOnceCommand.ExitCode(results).Should().Be(expected);
    }

    private static IDoctorCheck StockApiCheck(IHost host) => host.Services.GetServices<IDoctorCheck>().Single(c => c.Name == "stock-api");

    private IHost BuildHost(Dictionary<string, string?> overrides) => _host.Build(overrides);

    /// <summary>For commands that build their own host (on the real clock, as the binary does).</summary>
    private WorkerHostSettings Settings(Dictionary<string, string?> overrides) => _host.Settings(overrides, consoleLogsToStandardError: true);
}
