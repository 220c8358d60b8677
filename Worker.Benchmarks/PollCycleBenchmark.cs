using System.Globalization;
using KrxSignal.Worker.Ingest;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Benchmarks;

/// <summary>
/// One poll cycle against three endpoints delayed 100, 200 and 300 ms on loopback: the cycle should take about as
/// long as the slowest endpoint (target: median / 300 ms ≤ 1.15), not the sum (600 ms, printed beside it). The
/// same cycle runs on SQLite and on a throwaway PostgreSQL server in one run, with the ratio of their medians.
/// </summary>
public static class PollCycleBenchmark
{
    private const int WarmupRuns = 3;
    private const int MeasuredRuns = 21;
    private static readonly TimeSpan[] Delays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(300)];

    public static async Task RunAsync()
    {
        using var server = WireMockServer.Start();
        Serve(server, "/api/webai/portfolio", get: true, Delays[0], """{"as_of":"2026-11-20T10:01:00+09:00","cash_krw":1,"total_value_krw":1,"holdings":[]}""");
        Serve(server, "/api/webai/news-sentiment", get: true, Delays[1], """{"date":"2026-11-20","generated_at":"2026-11-20T10:00:12+09:00","tickers":[],"articles":[]}""");
        Serve(server, "/api/stock/screener/run", get: false, Delays[2], """{"mode":"preview","run_at":"2026-11-20T10:01:03+09:00","results":[]}""");

        var folder = Path.Combine(Path.GetTempPath(), "krx-poll-benchmark-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        await using var postgres = await ThrowawayPostgres.StartAsync();
        try
        {
            var sqlite = await MeasureAsync(server.Url!, new SqliteDatabase(Path.Combine(folder, "worker.db")));
            List<double>? onPostgres = null;
            if (postgres is not null)
            {
                await using var database = new PostgresDatabase(await postgres.CreateDatabaseAsync());
                onPostgres = await MeasureAsync(server.Url!, database);
            }

            var median = Median(sqlite);
            var slowest = Delays.Max().TotalMilliseconds;
            var sequential = Delays.Sum(d => d.TotalMilliseconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"poll cycle, endpoints delayed 100/200/300 ms, {MeasuredRuns} runs after {WarmupRuns} warm-up"));
            Print("parallel cycle", sqlite, slowest);
            if (onPostgres is not null)
            {
                Print("on PostgreSQL", onPostgres, slowest);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  PostgreSQL / SQLite median {Median(onPostgres) / median:0.000}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  sequential sum   {sequential,7:0.0} ms  ratio to slowest {sequential / slowest:0.000}"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Median(List<double> sorted) => sorted[sorted.Count / 2];

    private static void Print(string name, List<double> samples, double slowest)
    {
        var median = Median(samples);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-16} median {median,7:0.0} ms  (min {samples[0]:0.0}, max {samples[^1]:0.0})  ratio to slowest (300 ms) {median / slowest:0.000}  target <= 1.15  {(median / slowest <= 1.15 ? "PASS" : "FAIL")}"));
    }

    /// <returns>The measured cycles' times, sorted.</returns>
    private static async Task<List<double>> MeasureAsync(string baseUrl, Database database)
    {
        await using var services = Build(baseUrl, database);
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
        var stage = services.GetRequiredService<PollStage>();
        var context = new StageContext(ForceFresh: true);

        var samples = new List<double>();
        for (var run = 0; run < WarmupRuns + MeasuredRuns; run++)
        {
            var started = TimeProvider.System.GetTimestamp();
            var result = await stage.RunAsync(context, CancellationToken.None);
            var elapsed = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
            if (result.Outcome != StageOutcome.Ok)
            {
                throw new InvalidOperationException($"The benchmark cycle on {database.Provider} did not succeed: {result.Summary}");
            }

            if (run >= WarmupRuns)
            {
                samples.Add(elapsed);
            }
        }

        samples.Sort();
        return samples;
    }

    private static ServiceProvider Build(string baseUrl, Database database)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["StockApi:BaseUrl"] = baseUrl,
            ["StockApi:ApiKey"] = "benchmark",
        }).Build());
        services.AddLogging();
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        services.AddSingleton<SchemaMigrator>();
        services.AddStockApi();
        services.AddIngest();
        return services.BuildServiceProvider();
    }

    private static void Serve(WireMockServer server, string path, bool get, TimeSpan delay, string body)
    {
        var request = Request.Create().WithPath(path);
        server.Given(get ? request.UsingGet() : request.UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body).WithDelay(delay));
    }
}
