using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health.Doctor;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Storage;

internal static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddValidatedOptions<StorageOptions>();
        services.AddSingleton<SqliteConnectionFactory>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<DatabaseInitializer>();
        services.AddSingleton<IDoctorCheck, DatabaseCheck>();
        return services;
    }
}
