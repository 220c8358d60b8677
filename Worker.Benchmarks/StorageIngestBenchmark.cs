using System.Diagnostics;
using System.Globalization;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Ingest;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace KrxSignal.Worker.Benchmarks;

/// <summary>
/// Rows a second that the real write paths reach on a real file (WAL, synchronous=FULL): article
/// ingest (one transaction per poll's batch, as the poll stage writes) and prediction rows (one
/// transaction each, as the fan-out writes them, with the usage ledger and the predicted_at check).
/// </summary>
public static class StorageIngestBenchmark
{
    private const int Runs = 5;
    private const int ArticlesPerBatch = 50;
    private const int Batches = 40;
    private const int PredictedArticles = 500;
    private static readonly string[] Models = ["lexicon", "sentiment"];

    public static async Task RunAsync()
    {
        var articleRates = new List<double>();
        var predictionRates = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            var folder = Directory.CreateTempSubdirectory("krx-bench-");
            try
            {
                var connections = new SqliteDatabase(Path.Combine(folder.FullName, "bench.db"));
                await new SchemaMigrator(connections, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
                articleRates.Add(await ArticlesAsync(connections));
                predictionRates.Add(await PredictionsAsync(connections));
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                folder.Delete(recursive: true);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"article ingest      median {Median(articleRates),8:0} rows/s  ({Batches} batches of {ArticlesPerBatch}, {Runs} runs)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"prediction rows     median {Median(predictionRates),8:0} rows/s  (one transaction per row, {PredictedArticles * Models.Length} rows, {Runs} runs)"));
    }

    private static async Task<double> ArticlesAsync(SqliteDatabase connections)
    {
        var ingest = new ArticleIngest(connections, TimeProvider.System);
        var published = new DateTimeOffset(2026, 11, 20, 9, 0, 0, Kst.Offset);
        var clock = Stopwatch.StartNew();
        for (var batch = 0; batch < Batches; batch++)
        {
            var articles = Enumerable.Range(batch * ArticlesPerBatch, ArticlesPerBatch)
                .Select(i => new Article($"n-{i}", $"삼성전자 수주 급증 {i}", published.AddSeconds(i), "005930", "요약", "연합뉴스", $"https://news.example/{i}", 0.5))
                .ToList();
            await ingest.IngestAsync(articles, CancellationToken.None);
        }

        return Batches * ArticlesPerBatch / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> PredictionsAsync(SqliteDatabase connections)
    {
        var store = new PredictionStore(connections);
        var now = TimeProvider.System.GetUtcNow();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < PredictedArticles; i++)
        {
            foreach (var model in Models)
            {
                var row = new PairResult($"n-{i}", model, PredictionStatus.Ok, 1, 3, "up", "medium", 0.7, "benchmark");
                await store.SaveAsync(row, new UsageDelta("2026-11-20", model, 0, 0, 0), Models, now, CancellationToken.None);
            }
        }

        return PredictedArticles * Models.Length / clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
