using KrxSignal.Worker.Signals;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Signals;

/// <summary>
/// Two nodes saving the same signal at the same instant, each through its own connections: under PostgreSQL's read
/// committed nothing serialises them but the store's own SQL, so this is where a read-then-write would store two.
/// </summary>
public abstract class SignalStoreConcurrencyTests(StorageProvider provider) : SignalsDatabaseTest(provider)
{
    private const int Rounds = 40;

    [SkippableFact]
    public async Task TryCreateAsync_TwoNodesSaveTheSameSignalAtOnce_ExactlyOneStoredPerRound()
    {
        var options = new SignalsOptions();
        var other = Db.OpenAnotherNode();
        try
        {
            SignalStore[] nodes = [new(Db.Connections), new(other)];
            var lost = new List<string>();
            for (var round = 0; round < Rounds; round++)
            {
                // Even rounds race on a ticker never seen (the insert); odd rounds on one whose last signal is two
                // windows old (the update of an expired dedup row).
                var ticker = round % 2 == 0 ? $"N{round:D5}" : "005930";
                var now = SignalsTestDatabase.Start + (round * (options.DedupWindow + TimeSpan.FromMilliseconds(1)));
                var candidate = new SignalCandidate(ticker, "buy", 0.7, 0.7, "test", new TickerConsensus(ticker, 0.7, [], 2, 1, 0.7));
                var details = new SignalDetails("이름", [], []);

                var writes = await AtOnce.RunAsync(nodes.Select(n => (Func<Task<SignalWrite>>)(() => n.TryCreateAsync(candidate, details, now, options, CancellationToken.None))));

                var stored = await Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals WHERE ticker = @Ticker AND created_at = @Now", new { Ticker = ticker, Now = now });
                if (stored != 1 || writes.Count(w => w.SignalId is not null) != 1 || writes.Count(w => w.RepeatOf == now) != 1)
                {
                    lost.Add($"round {round}: {stored} stored, writes {string.Join(", ", writes)}");
                }
            }

            lost.Should().BeEmpty("of two nodes saving one signal at once, one stores it and the other sees a repeat");
            (await Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals")).Should().Be(Rounds);
        }
        finally
        {
            await DisposeNodeAsync(other);
        }
    }

    [SkippableFact]
    public async Task TryCreateAsync_TwoNodesSaveOppositeSignalsAtOnce_TheLaterIsAReversalOrRefused()
    {
        var options = new SignalsOptions();
        var other = Db.OpenAnotherNode();
        try
        {
            SignalStore[] nodes = [new(Db.Connections), new(other)];
            for (var round = 0; round < Rounds / 2; round++)
            {
                var ticker = $"R{round:D5}";
                var now = SignalsTestDatabase.Start.AddMinutes(round);
                var details = new SignalDetails("이름", [], []);
                // Strong enough to reverse on one side, too weak on the other: either order has one defined outcome.
                var buy = new SignalCandidate(ticker, "buy", 0.9, 0.9, "test", new TickerConsensus(ticker, 0.9, [], 2, 1, 0.9));
                var sell = new SignalCandidate(ticker, "sell", -0.55, 0.55, "test", new TickerConsensus(ticker, -0.55, [], 2, 1, 0.55));
                SignalCandidate[] both = [buy, sell];

                var writes = await AtOnce.RunAsync(nodes.Select((n, i) => (Func<Task<SignalWrite>>)(() => n.TryCreateAsync(both[i], details, now, options, CancellationToken.None))));

                var rows = await Db.QueryAsync<StoredRow>(
                    "SELECT action AS Action, reversal AS Reversal FROM signals WHERE ticker = @Ticker ORDER BY id", new { Ticker = ticker });
                // The buy first: the weak sell is refused. The sell first: the buy is stored as its reversal. Never two
                // opposite signals stored as if the other did not exist.
                var outcome = string.Join(" ", rows.Select(r => $"{r.Action}{(r.Reversal == 1 ? "(reversal)" : "")}"));
                outcome.Should().BeOneOf(["buy", "sell buy(reversal)"], $"round {round}: {string.Join(", ", writes)}");
            }
        }
        finally
        {
            await DisposeNodeAsync(other);
        }
    }

    private static async Task DisposeNodeAsync(Database node)
    {
        if (node is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    private sealed record StoredRow(string Action, long Reversal);

    public sealed class OnSqlite() : SignalStoreConcurrencyTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : SignalStoreConcurrencyTests(StorageProvider.Postgres);
}
