using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Pipeline;

internal static class PipelineServiceCollectionExtensions
{
    /// <summary>The runner only: each stage is registered by its own feature.</summary>
    public static IServiceCollection AddPipeline(this IServiceCollection services) => services.AddSingleton<PipelineRunner>();
}
