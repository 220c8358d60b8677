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
    public static IServiceCollection AddPredictions(this IServiceCollection services, IConfiguration configuration)
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

        services.AddModelChatClients(configuration);
        services.AddSingleton<ChatClients>();
        services.AddSingleton<ModelSettingsStore>();
        services.AddSingleton<NegotiatedSettings>();

        services.AddSingleton<IPredictionModel, LexiconModel>();
        services.AddSingleton<IPredictionModel, SentimentModel>();
        services.AddSingleton<IPredictionModel, OpenAiModel>();
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<ModelGuards>();
        services.AddSingleton<PredictionStore>();
        services.AddSingleton<UsageLedger>();
        services.AddSingleton<PairRunner>();
        services.AddSingleton<PredictionFanOut>();
        services.AddSingleton<PredictStage>();
        services.AddSingleton<IHeartbeatContributor, PredictionsHealth>();
        services.AddSingleton<IDoctorCheck, ModelsCheck>();
        return services;
    }
}
