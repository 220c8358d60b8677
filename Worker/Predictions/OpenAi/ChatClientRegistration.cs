using System.Text.Encodings.Web;
using System.Text.Json;
using KrxSignal.Worker.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Refit;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// One named HttpClient and one keyed Refit client per configured openai model, through Refit.HttpClientFactory's
/// source-generated registration (AddRefitClient would need Refit.Reflection, which we do not ship).
/// </summary>
public static class ChatClientRegistration
{
    public static string HttpClientName(string modelId) => $"model-{modelId}";

    // Korean text is sent as itself: \uXXXX escapes would triple the bytes of every prompt.
    private static readonly RefitSettings Settings = new RefitSettings(new SystemTextJsonContentSerializer(
        new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })).WithSocketsHandler();

    public static IServiceCollection AddModelChatClients(this IServiceCollection services, IConfiguration configuration)
    {
        foreach (var id in ModelIds(configuration))
        {
            services.AddKeyedRefitGeneratedClient<IChatCompletionsApi>(id, Settings, HttpClientName(id))
                .ConfigureHttpClient((sp, client) =>
                {
                    // Refit appends "/chat/completions" to the base path (".../v1"); a trailing slash would double it.
                    if (Find(sp, id)?.BaseUrl is { Length: > 0 } baseUrl)
                    {
                        client.BaseAddress = new Uri(baseUrl.TrimEnd('/'));
                    }

                    // Timeouts and retries belong to the model's own pipeline (ModelGuard), so the client never gives up first.
                    client.Timeout = Timeout.InfiniteTimeSpan;
                })

                // A redirect is a failed attempt that names the status and Location, never a request resent to another host with our key.
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
                .AddHttpMessageHandler(sp => new ModelHttpHandler(
                    Find(sp, id) ?? new ModelOptions { Id = id },
                    sp.GetRequiredService<IOptions<PredictionsOptions>>().Value.MaxResponseBytes));
        }

        return services;
    }

    /// <summary>The ids of the configured openai models. Only Id and Provider are read here; the rest is bound and validated in ModelsOptions at start.</summary>
    public static IReadOnlyList<string> ModelIds(IConfiguration configuration) =>
        configuration.GetSection(ModelsOptions.Section).GetChildren()
            .Where(c => c["Provider"] == "openai" && !string.IsNullOrWhiteSpace(c["Id"]))
            .Select(c => c["Id"]!)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static ModelOptions? Find(IServiceProvider services, string id) =>
        services.GetRequiredService<IOptions<ModelsOptions>>().Value.Items.FirstOrDefault(m => m.Id == id);
}
