using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KrxSignal.Worker.Tests.Signals;

/// <summary>A migrated SQLite file in a temp folder, with helpers that write what the poll and predict stages would.</summary>
public sealed class SignalsTestDatabase : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly TestHost _host;
    private int _articles;

    private SignalsTestDatabase()
    {
        _host = new TestHost(_folder, Start);
        Path = _host.DatabasePath;
        Connections = new SqliteConnectionFactory(Path);
    }

    /// <summary>A new file, migrated to the latest schema.</summary>
    public static async Task<SignalsTestDatabase> CreateAsync()
    {
        var database = new SignalsTestDatabase();
        await new SchemaMigrator(database.Connections, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return database;
    }

    public string Path { get; }

    public SqliteConnectionFactory Connections { get; }

    public static DateTimeOffset Start { get; } = new(2026, 11, 19, 1, 0, 0, TimeSpan.Zero); // 10:00 KST

    /// <summary>
    /// A fresh container over this file, as a restarted process would build it: the production composition
    /// (<see cref="TestHost"/>) with the given clock and configuration. Disposing it disposes the host's services.
    /// </summary>
    public ServiceProvider BuildServices(TimeProvider time, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? extra = null)
    {
        var host = _host.Build(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()), time, extra);
        return (ServiceProvider)host.Services;
    }

    /// <summary>An article with one prediction per (model, direction, impact, confidence), marked predicted at <paramref name="at"/>.</summary>
    public async Task<string> AddPredictedArticleAsync(string ticker, DateTimeOffset at, params (string Model, string Direction, string Impact, double Confidence)[] predictions)
    {
        var id = $"art-{Interlocked.Increment(ref _articles):D4}";
        var now = UtcTimeHandlers.ToText(at);
        await using var connection = await Connections.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            """
            INSERT INTO news_articles (id, ticker, title, summary, source, url, published_at, sentiment, created_at, predicted_at)
            VALUES (@Id, @Ticker, @Title, NULL, 'test', NULL, @Now, NULL, @Now, @Now)
            """, new { Id = id, Ticker = ticker, Title = $"News about {ticker}", Now = now });
        foreach (var p in predictions)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO predictions (article_id, model_id, status, direction, impact, confidence, attempts, created_at, updated_at)
                VALUES (@Id, @Model, 'ok', @Direction, @Impact, @Confidence, 1, @Now, @Now)
                """, new { Id = id, p.Model, p.Direction, p.Impact, p.Confidence, Now = now });
        }

        return id;
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Connections.OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<T>(sql, parameters)).AsList();
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Connections.OpenAsync(CancellationToken.None);
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    public void Dispose() => _folder.Dispose();

    public static FakeTimeProvider NewClock() => new(Start);
}
