using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Storage;

internal static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddValidatedOptions<StorageOptions>();
        services.AddSingleton<Database>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Provider switch
            {
                StorageProvider.Postgres => new PostgresDatabase(options.ConnectionString!),
                _ => new SqliteDatabase(provider.GetRequiredService<IOptions<StorageOptions>>(), provider.GetRequiredService<AppPaths>()),
            };
        });
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<DatabaseInitializer>();
        services.AddSingleton<IDoctorCheck, DatabaseCheck>();
        return services;
    }
}
