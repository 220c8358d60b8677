using KrxSignal.Worker.Health;
using KrxSignal.Worker.Signals;
using Microsoft.Extensions.DependencyInjection;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Signals;

public abstract class SignalsHeartbeatTests(StorageProvider provider) : SignalsDatabaseTest(provider)
{
    [SkippableFact]
    public async Task ContributeAsync_SignalsTodayAndYesterday_CountsTodayInKstAndShowsTheLastThree()
    {
        // 10:00 KST on 2026-11-19. 00:30 KST today is still the 18th in UTC: a UTC day would leave it out.
        var clock = SignalsTestDatabase.NewClock();
        var today = clock.GetUtcNow();
        await InsertAsync("000001", today.AddHours(-10.5)); // 23:30 KST on the 18th
        await InsertAsync("000002", today.AddHours(-9.5));  // 00:30 KST
        await InsertAsync("000003", today.AddHours(-2));
        await InsertAsync("000004", today.AddHours(-1));
        await InsertAsync("000005", today.AddMinutes(-1));
        await using var services = Db.BuildServices(clock);
        var draft = new HeartbeatDraft();

        foreach (var contributor in services.GetServices<IHeartbeatContributor>().OfType<SignalsHeartbeat>())
        {
            await contributor.ContributeAsync(draft, CancellationToken.None);
        }

        draft.Signals.Should().NotBeNull();
        draft.Signals!.Count.Should().Be(4);
        draft.Signals.Last.Select(s => s.Ticker).Should().Equal("000005", "000004", "000003");
        draft.Signals.Last[0].Should().Be(new RecentSignal(today.AddMinutes(-1), "000005", "이름", "buy", 0.7, false, "pending"));
    }

    private async Task InsertAsync(string ticker, DateTimeOffset at)
    {
        await using var connection = await Db.Connections.OpenAsync(CancellationToken.None);
        await Dapper.SqlMapper.ExecuteAsync(connection,
            "INSERT INTO signals (ticker, action, score, confidence, reason, created_at, name) VALUES (@Ticker, 'buy', 0.7, 0.7, 'test', @At, '이름')",
            new { Ticker = ticker, At = at });
    }

    public sealed class OnSqlite() : SignalsHeartbeatTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : SignalsHeartbeatTests(StorageProvider.Postgres);
}
