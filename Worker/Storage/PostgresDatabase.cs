using System.Data.Common;
using Npgsql;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// A PostgreSQL database several nodes share. One pooled data source for the process; every connection runs at the
/// server's default isolation (read committed), so the stores take row locks where they read before they write.
/// </summary>
public sealed class PostgresDatabase : Database, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _source;

    public PostgresDatabase(string connectionString, string applicationName = "krx-worker")
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = applicationName;
        }

        Location = $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
        _source = NpgsqlDataSource.Create(builder);
    }

    public override StorageProvider Provider => StorageProvider.Postgres;

    public override string Location { get; }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _source.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    // A host disposed synchronously (`using var host`) refuses a singleton that is only IAsyncDisposable.
    public void Dispose() => _source.Dispose();
}
