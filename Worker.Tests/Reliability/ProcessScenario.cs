using System.Text.Json;
using Dapper;
using KrxSignal.Worker.Tests.StockApi;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Data.Sqlite;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.Reliability;

/// <summary>
/// The real Worker binary (the test run's shared install), a state folder (database, heartbeat, logs) that survives
/// between its runs, and the upstream stock API on WireMock. The database is read by the test while the Worker
/// runs (WAL lets a reader in beside the writer).
/// </summary>
internal sealed class ProcessScenario : IDisposable
{
    public static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    private readonly WorkerInstall _install = WorkerInstall.Shared;

    public TempFolder State { get; } = new();

    public WireMockServer Upstream { get; } = WireMockServer.Start();

    public string DatabasePath => State.File("worker.db");

    /// <summary>Today's news (KST) with one article per entry, plus a portfolio and a screener, every answer after <paramref name="delay"/>.</summary>
    public void ServeUpstream(IReadOnlyList<NewsArticle> articles, TimeSpan delay = default)
    {
        var now = TimeProvider.System.GetUtcNow().ToOffset(TimeSpan.FromHours(9));
        var news = JsonSerializer.Serialize(new
        {
            date = now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            generated_at = now,
            tickers = articles.GroupBy(a => a.Ticker).Select(g => new { ticker = g.Key, score = g.Average(a => a.Sentiment), article_count = g.Count() }),
            articles = articles.Select((a, i) => new
            {
                id = a.Id,
                ticker = a.Ticker,
                title = a.Title,
                summary = (string?)null,
                source = "연합뉴스",
                url = $"https://news.example/{a.Id}",
                published_at = now.AddMinutes(-i - 1),
                sentiment = a.Sentiment,
            }),
        });
        Answer(StockApiHarness.PortfolioPath, Payloads.Portfolio, delay);
        Answer(StockApiHarness.NewsPath, news, delay);
        Answer(StockApiHarness.ScreenerPath, Payloads.Screener, delay);
    }

    public Dictionary<string, string?> Environment() => new()
    {
        ["StockApi__BaseUrl"] = Upstream.Url,
        ["StockApi__ApiKey"] = "process-test-key",
        ["Storage__DatabasePath"] = DatabasePath,
        ["Heartbeat__Path"] = State.File("heartbeat.json"),
        ["Logs__Directory"] = State.File("logs"),
    };

    public WorkerProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        WorkerProcess.Start(_install.Path, args, environment);

    public WorkerProcess StartUnderUmask(string umask, IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        WorkerProcess.Start(_install.Path, args, environment, umask: umask);

    /// <summary>The heartbeat as the daemon last wrote it, or null before the first write.</summary>
    public async Task<System.Text.Json.JsonDocument?> HeartbeatAsync()
    {
        var path = State.File("heartbeat.json");
        return File.Exists(path) ? JsonDocument.Parse(await File.ReadAllTextAsync(path)) : null;
    }

    /// <summary>Polls the heartbeat (the daemon rewrites it atomically) until <paramref name="done"/> holds; bounded.</summary>
    public async Task<JsonElement> WaitForHeartbeatAsync(Func<JsonElement, bool> done, WorkerProcess worker, TimeSpan timeout)
    {
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
        string? last = null;
        while (true)
        {
            using (var document = await HeartbeatAsync())
            {
                if (document is not null)
                {
                    last = document.RootElement.GetRawText();
                    if (done(document.RootElement))
                    {
                        return document.RootElement.Clone();
                    }
                }
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"The heartbeat never matched within {timeout}; last:\n{last}\nstdout:\n{worker.StandardOutput}\nstderr:\n{worker.StandardError}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }
    }

    public Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        WorkerProcess.RunAsync(_install.Path, args, environment);

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = Open();
        return (await connection.ExecuteScalarAsync<T>(sql))!;
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql)
    {
        await using var connection = Open();
        return (await connection.QueryAsync<T>(sql)).ToList();
    }

    /// <summary>
    /// Polls <paramref name="sql"/> (a count) until <paramref name="done"/> holds: the Worker is a child process, so its
    /// progress is only visible in the database. Bounded; a missing file or schema reads as 0.
    /// </summary>
    public async Task<long> WaitForCountAsync(string sql, Func<long, bool> done, WorkerProcess worker, TimeSpan timeout)
    {
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
        while (true)
        {
            var count = File.Exists(DatabasePath) ? await TryCountAsync(sql) : 0;
            if (done(count))
            {
                return count;
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"'{sql}' stayed at {count} for {timeout}.\nstdout:\n{worker.StandardOutput}\nstderr:\n{worker.StandardError}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
    }

    public void Dispose()
    {
        Upstream.Stop();
        Upstream.Dispose();
        State.Dispose();
    }

    private async Task<long> TryCountAsync(string sql)
    {
        try
        {
            return await ScalarAsync<long>(sql);
        }
        catch (SqliteException)
        {
            return 0; // the schema is not there yet, or the writer holds the file for a moment
        }
    }

    private SqliteConnection Open() => new($"Data Source={DatabasePath};Pooling=False;Default Timeout=10");

    private void Answer(string path, string body, TimeSpan delay)
    {
        var request = path == StockApiHarness.ScreenerPath ? Request.Create().WithPath(path).UsingPost() : Request.Create().WithPath(path).UsingGet();
        var response = Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body);
        Upstream.Given(request).RespondWith(delay > TimeSpan.Zero ? response.WithDelay(delay) : response);
    }
}

/// <param name="Sentiment">The upstream's article sentiment, −1..1; also the ticker's day score (averaged).</param>
internal sealed record NewsArticle(string Id, string Ticker, string Title, double Sentiment);
