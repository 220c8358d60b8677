using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.StockApi;

/// <summary>Adds X-WebAI-Key from the secret to every upstream request; the value is never logged or recorded.</summary>
internal sealed class StockApiKeyHandler(IOptionsMonitor<StockApiOptions> options) : DelegatingHandler
{
    public const string HeaderName = "X-WebAI-Key";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = options.CurrentValue.ApiKey;
        request.Headers.Remove(HeaderName);
        if (!string.IsNullOrEmpty(key))
        {
            request.Headers.TryAddWithoutValidation(HeaderName, key);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
