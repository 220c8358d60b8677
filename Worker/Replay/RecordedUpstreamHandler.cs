using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace KrxSignal.Worker.Replay;

/// <summary>
/// The stock API as recorded: the primary handler of the upstream's HTTP clients during a replay.
/// It sits below the resilience pipeline, so retries, timeouts, the circuit breaker and the caches
/// all run as they do live.
/// </summary>
internal sealed class RecordedUpstreamHandler(ReplayTape tape, TimeProvider time) : HttpMessageHandler
{
    public static string? EndpointOf(Uri? uri) => uri?.AbsolutePath switch
    {
        null => null,
        var p when p.EndsWith("/api/webai/portfolio", StringComparison.Ordinal) => "portfolio",
        var p when p.EndsWith("/api/webai/news-sentiment", StringComparison.Ordinal) => "news-sentiment",
        var p when p.EndsWith("/api/stock/screener/run", StringComparison.Ordinal) => "screener",
        _ => null,
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var endpoint = EndpointOf(request.RequestUri)
            ?? throw new HttpRequestException($"The replay has no recordings for {request.RequestUri?.AbsolutePath}.");
        var record = tape.Next(endpoint)
            ?? throw new HttpRequestException($"Connection refused (replay: nothing recorded for {endpoint} yet).");

        switch (record.Failure)
        {
            case ReplayRecord.Failures.Connection:
                throw new HttpRequestException($"Connection refused (replayed outage of {endpoint}).");
            case ReplayRecord.Failures.Timeout:
                // A recorded hang: wait on the virtual clock until the attempt timeout gives up, as it did live.
                await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
                break;
        }

        var response = new HttpResponseMessage((HttpStatusCode)record.Status!.Value) { RequestMessage = request, Content = ContentOf(record) };
        if (record.RetryAfter is { } retryAfter)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    }

    private static HttpContent ContentOf(ReplayRecord record)
    {
        if (record.BodyUtf8 is { } json)
        {
            // The recorded bytes as they are: what StringContent would send for the same text, without the round trip.
            var content = new ByteArrayContent(json);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = Encoding.UTF8.WebName };
            return content;
        }

        var text = record.BodyText ?? "";
        return new StringContent(text, Encoding.UTF8, text.TrimStart().StartsWith('<') ? "text/html" : "application/json");
    }
}
