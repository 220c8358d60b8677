using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Predictions.Models;
using KrxSignal.Worker.Predictions.OpenAi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Predictions;

public static class PredictionsServiceCollectionExtensions
{
    public static IServiceCollection AddPredictions(this IServiceCollection services)
    {
        services.AddValidatedOptions<PredictionsOptions>();

        // "Models" is a top-level array, which the section binder cannot map onto a property.
        // No section at all means the two offline models: the pipeline works with no keys and no network.
        services.AddUnboundValidatedOptions<ModelsOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                var section = configuration.GetSection(ModelsOptions.Section);
                options.Items = section.Exists() ? section.Get<List<ModelOptions>>() ?? [] : ModelsOptions.BuiltIn();
            });

        // Timeouts and retries belong to each model's own pipeline (ModelGuard), so the client itself never gives up first.
        services.AddHttpClient(ChatClients.HttpClientName).ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<ChatClients>();

        services.AddSingleton<IPredictionModel, LexiconModel>();
        services.AddSingleton<IPredictionModel, SentimentModel>();
        services.AddSingleton<IPredictionModel, OpenAiModel>();
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<ModelGuards>();
        services.AddSingleton<PredictionStore>();
        services.AddSingleton<UsageLedger>();
        services.AddSingleton<PredictionFanOut>();
        services.AddSingleton<PredictStage>();
        services.AddSingleton<IHeartbeatContributor, PredictionsHealth>();
        services.AddSingleton<IDoctorCheck, ModelsCheck>();
        return services;
    }
}
