using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Ingest;

internal static class IngestServiceCollectionExtensions
{
    /// <summary>Storing new articles once; the poll stage hands them over after each fresh news fetch.</summary>
    public static IServiceCollection AddIngest(this IServiceCollection services) => services.AddSingleton<ArticleIngest>();
}
