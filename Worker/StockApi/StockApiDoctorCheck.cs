using System.Globalization;
using System.Net;
using KrxSignal.Worker.Health.Doctor;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.StockApi;

/// <summary>`doctor`: one real GET of the portfolio, no retries, a short timeout: is the upstream there, and does it take our key?</summary>
internal sealed class StockApiDoctorCheck(StockApiClientFactory clients, IOptions<StockApiOptions> options, TimeProvider time) : IDoctorCheck
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public string Name => "stock-api";

    public async Task<DoctorResult> RunAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.PollingEnabled)
        {
            return DoctorResult.Fail("StockApi:BaseUrl is not set, so nothing is polled", "Set StockApi__BaseUrl to the upstream root, e.g. https://nas.local");
        }

        using var timeout = new CancellationTokenSource(ProbeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = time.GetTimestamp();
        try
        {
            var api = clients.Create();
            var answer = await UpstreamAnswer.FetchAsync(api.GetPortfolioAsync, linked.Token);
            var elapsed = string.Create(CultureInfo.InvariantCulture, $"{time.GetElapsedTime(started).TotalMilliseconds:0} ms");
            if (answer.IsSuccess)
            {
                var (_, problem) = UpstreamPayload.Read(answer, StockApiJsonContext.Default.Portfolio);
                return problem is null
                    ? DoctorResult.Pass($"reachable, key accepted (portfolio in {elapsed})")
                    : DoctorResult.Fail($"reachable and key accepted, but the portfolio answer is unreadable: {problem}", "Check that StockApi__BaseUrl points at the stock API, not another site");
            }

            return answer.Status switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => DoctorResult.Fail($"upstream rejected the key (HTTP {answer.StatusCode})", "check StockApi__ApiKey"),
                HttpStatusCode.ServiceUnavailable => DoctorResult.Fail("upstream answers 503: it has no key configured", "Configure the API key on the upstream server"),
                _ => DoctorResult.Fail($"upstream answered HTTP {answer.StatusCode}", "Check StockApi__BaseUrl and the upstream's own logs"),
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return DoctorResult.Fail($"no answer within {ProbeTimeout.TotalSeconds:0} s", "Check StockApi__BaseUrl, the network, and that the upstream is running");
        }
        catch (Http.CrossOriginRedirectException e)
        {
            return DoctorResult.Fail(e.Message, "Point StockApi__BaseUrl at the address the upstream redirects to, if it is really the stock API");
        }
        catch (HttpRequestException e)
        {
            return DoctorResult.Fail($"unreachable: {e.HttpRequestError}", "Check StockApi__BaseUrl, the network, and that the upstream is running");
        }
    }
}
