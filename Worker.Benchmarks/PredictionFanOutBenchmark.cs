using System.Diagnostics;
using System.Globalization;
using Dapper;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Predictions.Models;
using KrxSignal.Worker.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Benchmarks;

/// <summary>
/// Four fake models at 60/220/240/310 ms (the earlier system's LLM latencies scaled 1:100) over 20
/// articles, three strategies side by side in one run: one model after another, each article's models
/// in parallel but one article at a time (the earlier system), and ours — the real predict stage over a
/// real SQLite file with 8 articles at once and each model's concurrency limit 8 — and ours again on a throwaway
/// PostgreSQL server, with the ratio of the two.
/// </summary>
public static class PredictionFanOutBenchmark
{
    private const int Articles = 20;
    private const int ArticlesAtOnce = 8;
    private const int Runs = 3;
    private static readonly TimeSpan[] Latencies = [TimeSpan.FromMilliseconds(60), TimeSpan.FromMilliseconds(220), TimeSpan.FromMilliseconds(240), TimeSpan.FromMilliseconds(310)];

    public static async Task RunAsync()
    {
        var models = Latencies.Select((latency, i) => new FakeModel($"fake-{i}", latency)).ToList();
        var slowest = Latencies.Max().TotalMilliseconds;
        var ideal = Math.Ceiling((double)Articles / ArticlesAtOnce) * slowest;

        var sequential = new List<(double Total, double PerArticle)>();
        var perArticle = new List<(double Total, double PerArticle)>();
        var ours = new List<(double Total, double PerArticle)>();
        var oursOnPostgres = new List<(double Total, double PerArticle)>();
        await using var postgres = await ThrowawayPostgres.StartAsync();
        for (var run = 0; run < Runs; run++)
        {
            // Interleaved, so drift on a shared machine touches every strategy alike.
            sequential.Add(await BaselineAsync(models, parallelModels: false));
            perArticle.Add(await BaselineAsync(models, parallelModels: true));
            ours.Add(await OnSqliteAsync(models));
            if (postgres is not null)
            {
                await using var database = new PostgresDatabase(await postgres.CreateDatabaseAsync());
                oursOnPostgres.Add(await OursAsync(models, database));
            }
        }

        var (seqTotal, seqArticle) = Median(sequential);
        var (parTotal, parArticle) = Median(perArticle);
        var (ourTotal, ourArticle) = Median(ours);
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"Prediction fan-out: {Articles} articles, models at {string.Join("/", Latencies.Select(l => l.TotalMilliseconds))} ms, medians of {Runs} runs"));
        Console.WriteLine(string.Create(c, $"{"strategy",-34} {"20 articles",12} {"per article",12} {"articles/h",11}"));
        Print("one model after another", seqTotal, seqArticle);
        Print("per-article parallel (earlier)", parTotal, parArticle);
        Print($"ours ({ArticlesAtOnce} at once, concurrency {ArticlesAtOnce})", ourTotal, ourArticle);
        if (oursOnPostgres.Count > 0)
        {
            var (pgTotal, pgArticle) = Median(oursOnPostgres);
            Print("ours on PostgreSQL", pgTotal, pgArticle);
            Console.WriteLine(string.Create(c, $"PostgreSQL / SQLite: {pgTotal / ourTotal:0.000} total, {pgArticle / ourArticle:0.000} per article"));
        }

        Console.WriteLine(string.Create(c, $"per-article time / slowest model: {ourArticle / slowest:0.000} (target <= 1.10)"));
        Console.WriteLine(string.Create(c, $"speed-up vs per-article parallel: {parTotal / ourTotal:0.00}x (target >= 5x)"));
        Console.WriteLine(string.Create(c, $"ratio to ideal ceil({Articles}/{ArticlesAtOnce}) x {slowest} ms = {ideal} ms: {ourTotal / ideal:0.000}"));
    }

    private static void Print(string name, double total, double article) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-34} {total,9:0} ms {article,9:0} ms {3_600_000 / total * Articles,11:0}"));

    private static (double Total, double PerArticle) Median(List<(double Total, double PerArticle)> runs) =>
        (runs.Select(r => r.Total).Order().ElementAt(runs.Count / 2), runs.Select(r => r.PerArticle).Order().ElementAt(runs.Count / 2));

    private static async Task<(double Total, double PerArticle)> BaselineAsync(List<FakeModel> models, bool parallelModels)
    {
        var options = new ModelOptions();
        var perArticle = new List<double>();
        var total = Stopwatch.StartNew();
        for (var i = 0; i < Articles; i++)
        {
            var article = new PendingArticle($"a{i}", "005930", "t", null, null, default);
            var one = Stopwatch.StartNew();
            if (parallelModels)
            {
                await Task.WhenAll(models.Select(m => m.PredictAsync(options, article, CancellationToken.None)));
            }
            else
            {
                foreach (var model in models)
                {
                    await model.PredictAsync(options, article, CancellationToken.None);
                }
            }

            perArticle.Add(one.Elapsed.TotalMilliseconds);
        }

        return (total.Elapsed.TotalMilliseconds, perArticle.Order().ElementAt(perArticle.Count / 2));
    }

    private static async Task<(double Total, double PerArticle)> OnSqliteAsync(List<FakeModel> models)
    {
        var folder = Path.Combine(Path.GetTempPath(), "krx-fanout-bench", Guid.NewGuid().ToString("N"));
        try
        {
            return await OursAsync(models, new SqliteDatabase(Path.Combine(folder, "worker.db")));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The real stage, guards, store and ledger over <paramref name="connections"/>; only the models are fakes.</summary>
    private static async Task<(double Total, double PerArticle)> OursAsync(List<FakeModel> models, Database connections)
    {
        await new SchemaMigrator(connections, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        await using (var connection = await connections.OpenAsync(CancellationToken.None))
        {
            for (var i = 0; i < Articles; i++)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO news_articles (id, ticker, title, published_at, created_at) VALUES (@id, '005930', 't', @at, @at);",
                    new { id = $"a{i:00}", at = new DateTimeOffset(2026, 11, 19, 1, i, 0, TimeSpan.Zero) });
            }
        }

        var modelOptions = Options.Create(new ModelsOptions
        {
            Items = models.Select(m => new ModelOptions
            {
                Id = m.Provider, Provider = m.Provider, MaxConcurrency = ArticlesAtOnce, Timeout = TimeSpan.FromSeconds(10), MaxRetries = 0, DailyBudgetUsd = 0,
            }).ToList(),
        });
        var predictions = Options.Create(new PredictionsOptions { BatchSize = Articles, MaxConcurrentArticles = ArticlesAtOnce });
        var store = new PredictionStore(connections);
        var articleTimes = new ArticleTimes();
        using var guards = new ModelGuards(modelOptions, TimeProvider.System);
        var pairs = new PairRunner(
            new ModelCatalog(models), guards, store, new UsageLedger(store, NullLogger<UsageLedger>.Instance), predictions, TimeProvider.System, NullLogger<PairRunner>.Instance);
        var fanOut = new PredictionFanOut(pairs, store, predictions, TimeProvider.System, articleTimes);
        var stage = new PredictStage(store, fanOut, modelOptions, predictions, NullLogger<PredictStage>.Instance);

        var total = Stopwatch.StartNew();
        var result = await stage.RunAsync(new StageContext(), CancellationToken.None);
        total.Stop();
        if (result.Items != Articles * models.Count)
        {
            throw new InvalidOperationException($"expected {Articles * models.Count} rows, got {result.Items}: {result.Summary}");
        }

        return (total.Elapsed.TotalMilliseconds, articleTimes.Median());
    }

    private sealed class FakeModel(string provider, TimeSpan latency) : IPredictionModel
    {
        public string Provider => provider;

        public async Task<ModelAnswer> PredictAsync(ModelOptions model, PendingArticle article, CancellationToken cancellationToken)
        {
            await Task.Delay(latency, TimeProvider.System, cancellationToken);
            return new ModelAnswer("up", "medium", 0.6, "fake");
        }
    }

    /// <summary>Reads each article's total time from the fan-out's own final log line.</summary>
    private sealed class ArticleTimes : ILogger<PredictionFanOut>
    {
        private readonly List<double> _times = [];

        public double Median()
        {
            lock (_times)
            {
                return _times.Order().ElementAt(_times.Count / 2);
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values && values.FirstOrDefault(v => v.Key == "ElapsedMs").Value is long ms)
            {
                lock (_times)
                {
                    _times.Add(ms);
                }
            }
        }
    }
}
