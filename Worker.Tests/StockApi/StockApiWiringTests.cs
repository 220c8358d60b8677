using KrxSignal.Worker.Cli;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.StockApi;

public sealed class StockApiWiringTests : IDisposable
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
    public async Task RealHost_ResolvesRefitClientPollStageAndDoctorCheck_AndTheClientCallsUpstream()
    {
        _server.Given(Request.Create().WithPath(StockApiHarness.PortfolioPath).UsingGet().WithHeader("X-WebAI-Key", "wired-key"))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payloads.Portfolio));
        using var host = BuildHost(new() { ["StockApi:BaseUrl"] = _server.Url, ["StockApi:ApiKey"] = "wired-key" });

        // The source-generated Refit client: AddRefitClient would throw here without Refit.Reflection.
        var api = host.Services.GetRequiredService<StockApiClientFactory>().Create();
        using var response = await api.GetPortfolioAsync(CancellationToken.None);

        response.IsSuccessStatusCode.Should().BeTrue();
        host.Services.GetRequiredService<PipelineRunner>().StageNames.Should().StartWith(PipelineRunner.PollStage);
        host.Services.GetServices<IDoctorCheck>().Select(c => c.Name).Should().Contain("stock-api");
        host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(StockApiServiceCollectionExtensions.HttpClientName).BaseAddress
            .Should().Be(new Uri(_server.Url + "/"));
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
        File.Exists(_folder.File("worker.db")).Should().BeTrue();
    }

    [Theory]
    [InlineData(StageOutcome.Ok, StageOutcome.Ok, 0)]
    [InlineData(StageOutcome.Partial, StageOutcome.Ok, 1)]
    [InlineData(StageOutcome.Ok, StageOutcome.Failed, 1)]
    [InlineData(StageOutcome.Failed, StageOutcome.Ok, 2)]
    public void PollOnceExitCode_ByStageOutcomes_ZeroOneOrTwo(StageOutcome poll, StageOutcome predict, int expected)
    {
        var results = new List<(string, StageResult)> { ("poll", new StageResult(poll, 0, "")), ("predict", new StageResult(predict, 0, "")) };

        PollOnceCommand.ExitCode(results).Should().Be(expected);
    }

    private static IDoctorCheck StockApiCheck(IHost host) => host.Services.GetServices<IDoctorCheck>().Single(c => c.Name == "stock-api");

    private IHost BuildHost(Dictionary<string, string?> overrides) => WorkerHost.CreateBuilder(Settings(overrides)).Build();

    private WorkerHostSettings Settings(Dictionary<string, string?> overrides)
    {
        overrides["Storage:DatabasePath"] = _folder.File("worker.db");
        overrides["Heartbeat:Path"] = _folder.File("heartbeat.json");
        overrides["Logs:Directory"] = _folder.File("logs");
        return new WorkerHostSettings { ContentRoot = AppContext.BaseDirectory, Overrides = overrides, ConsoleLogsToStandardError = true };
    }
}
