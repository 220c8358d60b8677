using Dapper;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace KrxSignal.Worker.Tests.Predictions;

public sealed class UsageLedgerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task AfterCallAsync_PastEightyPercentTwice_WarnsOncePerDay(StorageProvider provider)
    {
        var connections = await MigratedDatabases.CreateAsync(provider, _folder);
        var logger = new FakeLogger<UsageLedger>();
        var ledger = new UsageLedger(new PredictionStore(connections), logger);
        var model = new ModelOptions { Id = "gpt", DailyBudgetUsd = 1 };

        // The totals are what the usage write returned (SaveAsync's RETURNING), so no second read is needed.
        ledger.AfterCall(model, "2026-11-19", new UsageTotals(0, 0.85));
        ledger.AfterCall(model, "2026-11-19", new UsageTotals(0, 0.86));
        ledger.AfterCall(model, "2026-11-20", new UsageTotals(0, 0.9));

        logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message)
            .Should().HaveCount(2).And.OnlyContain(m => m.Contains("(80 % or more)", StringComparison.Ordinal));
        await SetCostAsync(connections, "2026-11-20", 0.9);
        (await ledger.IsExhaustedAsync(model, "2026-11-20", CancellationToken.None)).Should().BeFalse();
        await SetCostAsync(connections, "2026-11-20", 1.0);
        (await ledger.IsExhaustedAsync(model, "2026-11-20", CancellationToken.None)).Should().BeTrue();
    }

    private static async Task SetCostAsync(Database connections, string day, double cost)
    {
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            "INSERT INTO model_usage (day, model_id, calls, cost) VALUES (@day, 'gpt', 1, @cost) ON CONFLICT (day, model_id) DO UPDATE SET cost = excluded.cost;",
            new { day, cost });
    }
}
