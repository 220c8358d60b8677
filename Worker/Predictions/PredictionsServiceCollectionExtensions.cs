using KrxSignal.Worker.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Predictions;

public static class PredictionsServiceCollectionExtensions
{
    public static IServiceCollection AddPredictions(this IServiceCollection services)
    {
        services.AddValidatedOptions<PredictionsOptions>();

        // "Models" is a top-level array, which the section binder cannot map onto a property.
        services.AddUnboundValidatedOptions<ModelsOptions>()
            .Configure<IConfiguration>((options, configuration) =>
                options.Items = configuration.GetSection(ModelsOptions.Section).Get<List<ModelOptions>>() ?? []);
        return services;
    }
}
