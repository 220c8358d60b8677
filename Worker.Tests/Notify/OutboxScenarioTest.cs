namespace KrxSignal.Worker.Tests.Notify;

/// <summary>A test class whose every test gets a fresh <see cref="OutboxScenario"/> (xunit makes one instance per test).</summary>
public abstract class OutboxScenarioTest : IAsyncLifetime
{
    protected OutboxScenario S { get; private set; } = null!;

    public async Task InitializeAsync() => S = await OutboxScenario.CreateAsync();

    public Task DisposeAsync()
    {
        S.Dispose();
        return Task.CompletedTask;
    }
}
