using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Notify;

/// <summary>
/// A test class whose every test gets a fresh <see cref="OutboxScenario"/> on the given provider (xunit makes one
/// instance per test). A scenario class derives from it abstractly and declares one sealed subclass per provider, so
/// every scenario runs on SQLite and on PostgreSQL (its tests are <c>[SkippableFact]</c>: without the server binaries
/// the PostgreSQL half reports itself skipped, with the reason).
/// </summary>
public abstract class OutboxScenarioTest(StorageProvider provider) : IAsyncLifetime
{
    protected StorageProvider Provider { get; } = provider;

    protected OutboxScenario S { get; private set; } = null!;

    public async Task InitializeAsync() => S = await OutboxScenario.CreateAsync(Provider);

    public async Task DisposeAsync()
    {
        if (S is not null)
        {
            await S.DisposeAsync();
        }
    }
}
