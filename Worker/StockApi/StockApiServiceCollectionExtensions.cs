using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Refit;

namespace KrxSignal.Worker.StockApi;

internal static class StockApiServiceCollectionExtensions
{
    /// <summary>
    /// The named HttpClient under the Refit client that every upstream call goes through. Replay swaps its primary handler to answer from a
    /// recording (<c>services.AddHttpClient(HttpClientName).ConfigurePrimaryHttpMessageHandler(...)</c>); the key
    /// handler stays in front of it.
    /// </summary>
    public const string HttpClientName = "StockApi";

    public static IServiceCollection AddStockApi(this IServiceCollection services)
    {
        services.AddValidatedOptions<StockApiOptions>();
        services.AddSingleton<MarketData>();
        services.AddSingleton<IHeartbeatContributor, PollingSetupHealth>();

        services.AddTransient<StockApiKeyHandler>();

        // The source-generated client (Refit 16.4's AddRefitClient needs Refit.Reflection at run time) over the named
        // HttpClient, with the generated JSON context's own options.
        var settings = RefitSettings.ForJsonContext(StockApiJsonContext.Default).WithSocketsHandler();
        services.AddRefitGeneratedClient<IStockApi>(StockApiJsonContext.Default, _ => settings, HttpClientName)
            .ConfigureHttpClient((sp, client) =>
            {
                if (sp.GetRequiredService<IOptions<StockApiOptions>>().Value.BaseUrl is { Length: > 0 } baseUrl)
                {
                    client.BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/");
                }

                // The per-attempt timeout lives in the resilience pipeline, on TimeProvider; HttpClient's own
                // (100 s of wall clock by default) must not cut across it.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddHttpMessageHandler<StockApiKeyHandler>()
            .FollowSameOriginRedirectsOnly()
            .RedactLoggedHeaders([StockApiKeyHandler.HeaderName]);

        services.TryAddSingleton(RetryJitter.Random);
        services.AddSingleton<StockApiClientFactory>();
        services.AddSingleton<StockApiResilience>();
        services.AddSingleton<EndpointHealthBoard>();
        services.AddSingleton<SnapshotStore>();
        services.AddSingleton<StockApiFetchers>();
        services.AddSingleton<PollStage>();
        services.AddSingleton<IHeartbeatContributor, StockApiHealth>();
        services.AddSingleton<IDoctorCheck, StockApiDoctorCheck>();
        return services;
    }
}
