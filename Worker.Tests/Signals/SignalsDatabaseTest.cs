namespace KrxSignal.Worker.Tests.Signals;

/// <summary>A test class whose every test gets a fresh, migrated <see cref="SignalsTestDatabase"/> (one instance per test).</summary>
public abstract class SignalsDatabaseTest : IAsyncLifetime
{
    protected SignalsTestDatabase Db { get; private set; } = null!;

    public async Task InitializeAsync() => Db = await SignalsTestDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        Db.Dispose();
        return Task.CompletedTask;
    }
}
