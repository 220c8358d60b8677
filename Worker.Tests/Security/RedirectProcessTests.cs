using KrxSignal.Worker.Tests.Reliability;
using KrxSignal.Worker.Tests.StockApi;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.Security;

/// <summary>
/// The real binary against an upstream that redirects to a second loopback server (another port: another origin).
/// The key must never reach it, and the cycle must not count the redirect as data.
/// </summary>
public sealed class RedirectProcessTests : IDisposable
{
    private readonly ProcessScenario _s = new();
    private readonly WireMockServer _elsewhere = WireMockServer.Start();

    public void Dispose()
    {
        _elsewhere.Stop();
        _elsewhere.Dispose();
        _s.Dispose();
    }

    [Fact]
    public async Task PollOnce_302And307ToAnotherOrigin_KeyNeverSentThereAndCycleNotOk()
    {
        _s.ServeUpstream([new("redirect-1", "005930", "삼성전자 실적 발표", 0.2)]);
        _s.Upstream.Given(Request.Create().WithPath(StockApiHarness.PortfolioPath).UsingGet()).AtPriority(-1)
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", $"{_elsewhere.Url}/steal/portfolio"));
        _s.Upstream.Given(Request.Create().WithPath(StockApiHarness.ScreenerPath).UsingPost()).AtPriority(-1)
            .RespondWith(Response.Create().WithStatusCode(307).WithHeader("Location", $"{_elsewhere.Url}/steal/screener"));
        _elsewhere.Given(Request.Create().UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payloads.Portfolio));

        var (exitCode, stdout, stderr) = await _s.RunAsync(_s.Environment(), "poll-once");

        _elsewhere.LogEntries.Should().BeEmpty("no request, and so no key, may go to another origin");
        exitCode.Should().NotBe(0, $"stdout:\n{stdout}\nstderr:\n{stderr}");
        var output = stdout + stderr;
        output.Should().Contain($"Location {_elsewhere.Url}/steal/portfolio").And.Contain($"Location {_elsewhere.Url}/steal/screener");
        output.Should().Contain("redirect to another origin refused");
        output.Should().NotContain("process-test-key");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM snapshots WHERE endpoint = 'portfolio' AND http_status = 200")).Should().Be(0);
    }
}
