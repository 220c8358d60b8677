using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Signals;

/// <summary>
/// A test class whose every test gets a fresh, migrated <see cref="SignalsTestDatabase"/> of the given provider (one
/// instance per test). A test class derives from it abstractly and declares one sealed subclass per provider, so
/// every test runs on SQLite and on PostgreSQL (its tests are <c>[SkippableFact]</c>: without the server binaries
/// the PostgreSQL half reports itself skipped, with the reason).
/// </summary>
public abstract class SignalsDatabaseTest(StorageProvider provider) : IAsyncLifetime
{
    protected StorageProvider Provider { get; } = provider;

    protected SignalsTestDatabase Db { get; private set; } = null!;

    public async Task InitializeAsync() => Db = await SignalsTestDatabase.CreateAsync(Provider);

    public async Task DisposeAsync()
    {
        if (Db is not null)
        {
            await Db.DisposeAsync();
        }
    }
}
