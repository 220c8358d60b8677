using System.Text.Json;
using Refit;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// Creates the Refit client of an openai model over the factory's named HttpClient. Refit 16.4's
/// AddRefitClient needs Refit.Reflection, which we do not ship; the source-generated implementation
/// taken through <see cref="RestService.ForGenerated{T}(HttpClient, RefitSettings)"/> works without it.
/// </summary>
public sealed class ChatClients(IHttpClientFactory factory)
{
    /// <summary>The named HttpClient every openai model uses; timeouts and retries live in each model's own pipeline.</summary>
    public const string HttpClientName = "predictions-openai";

    private static readonly RefitSettings Settings = new(new SystemTextJsonContentSerializer(new JsonSerializerOptions(JsonSerializerDefaults.Web)));

    public IChatCompletionsApi For(string baseUrl)
    {
        var client = factory.CreateClient(HttpClientName);

        // Refit appends "/chat/completions" to the base path (".../v1"); a trailing slash would double it.
        client.BaseAddress = new Uri(baseUrl.TrimEnd('/'));
        return RestService.ForGenerated<IChatCompletionsApi>(client, Settings);
    }
}
