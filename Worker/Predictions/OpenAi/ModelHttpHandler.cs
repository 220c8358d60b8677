using System.Net.Http.Headers;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// The last handler before the wire for one model's client. It adds the bearer key when the model has one
/// (read from its variable at each call, so a rotated key needs no restart; a keyless local server gets no
/// Authorization header at all), and caps the response body while it is read.
/// </summary>
public sealed class ModelHttpHandler(ModelOptions model, int maxResponseBytes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (ModelKey.Read(model) is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentLength is { } length && length > maxResponseBytes)
        {
            response.Dispose();
            throw new ResponseTooLargeException(maxResponseBytes);
        }

        response.Content = new CappedContent(response.Content, maxResponseBytes);
        return response;
    }
}

/// <summary>Where an openai model's key comes from: the environment variable named by Models:N:ApiKeyEnv, if any.</summary>
public static class ModelKey
{
    public static bool IsKeyless(ModelOptions model) => string.IsNullOrWhiteSpace(model.ApiKeyEnv);

    public static string? Read(ModelOptions model) =>
        IsKeyless(model) ? null : Environment.GetEnvironmentVariable(model.ApiKeyEnv!) is { Length: > 0 } key ? key : null;
}
