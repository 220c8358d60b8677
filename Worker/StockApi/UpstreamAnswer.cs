using System.Net;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using Refit;

namespace KrxSignal.Worker.StockApi;

/// <summary>
/// What one HTTP attempt brought back, read completely inside the attempt (so the attempt timeout covers a body
/// that trickles in) and capped at <see cref="MaxBodyBytes"/>.
/// </summary>
internal sealed record UpstreamAnswer(HttpStatusCode Status, RetryConditionHeaderValue? RetryAfter, string? MediaType, byte[] Body, bool TooLarge)
{
    /// <summary>No answer of this API is near this size; a bigger one is a broken or hostile server, not data.</summary>
    public const int MaxBodyBytes = 5 * 1024 * 1024;

    public int StatusCode => (int)Status;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>
    /// Sends through Refit and reads the answer. Refit wraps transport failures and cancellations in
    /// ApiRequestException; they are unwrapped so retries see a connection failure and shutdown sees a cancellation.
    /// </summary>
    public static async Task<UpstreamAnswer> FetchAsync(Func<CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await send(cancellationToken);
        }
        catch (ApiRequestException e) when (e.InnerException is { } inner)
        {
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }

        return await ReadAsync(response, cancellationToken);
    }

    public static async Task<UpstreamAnswer> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var retryAfter = response.Headers.RetryAfter;
            if (response.Content.Headers.ContentLength > MaxBodyBytes)
            {
                return new UpstreamAnswer(response.StatusCode, retryAfter, mediaType, [], TooLarge: true);
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return new UpstreamAnswer(response.StatusCode, retryAfter, mediaType, [], TooLarge: true);
                }

                buffer.Write(chunk, 0, read);
            }

            return new UpstreamAnswer(response.StatusCode, retryAfter, mediaType, buffer.ToArray(), TooLarge: false);
        }
    }
}
