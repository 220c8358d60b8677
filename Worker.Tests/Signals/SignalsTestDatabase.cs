using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KrxSignal.Worker.Tests.Signals;

/// <summary>
/// A migrated database of either provider (an SQLite file in a temp folder, or a fresh database on the run's
/// PostgreSQL server), with helpers that write what the poll and predict stages would.
/// </summary>
public sealed class SignalsTestDatabase : IAsyncDisposable
{
    private readonly TempFolder _folder = new();
    private readonly TestHost _host;
    private readonly PostgresDatabase? _postgres;
    private int _articles;

    private SignalsTestDatabase(StorageProvider provider, string? connectionString)
    {
        _host = new TestHost(_folder, Start);
        Provider = provider;
        if (connectionString is null)
        {
            Path = _host.DatabasePath;
            Connections = new SqliteDatabase(Path);
        }
        else
        {
            Path = connectionString;
            Connections = _postgres = new PostgresDatabase(connectionString);
        }
    }

    /// <summary>A new database, migrated to the latest schema.</summary>
    public static async Task<SignalsTestDatabase> CreateAsync(StorageProvider provider = StorageProvider.Sqlite)
    {
        var connectionString = provider == StorageProvider.Postgres ? await (await PostgresServer.GetAsync()).CreateDatabaseAsync() : null;
        var database = new SignalsTestDatabase(provider, connectionString);
        await new SchemaMigrator(database.Connections, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return database;
    }

    public StorageProvider Provider { get; }

    /// <summary>The SQLite file, or the PostgreSQL connection string.</summary>
    public string Path { get; }

    public Database Connections { get; }

    /// <summary>Another node's view of the same database: its own connections (its own pool, on PostgreSQL).</summary>
    /// <remarks>The caller disposes a PostgreSQL one (it owns a data source).</remarks>
    public Database OpenAnotherNode() => Provider == StorageProvider.Postgres ? new PostgresDatabase(Path) : new SqliteDatabase(Path);

    /// <summary>The configuration keys that point a host at this database.</summary>
    public Dictionary<string, string?> StorageSettings => TestDatabases.Settings(Provider, Path);

    public static DateTimeOffset Start { get; } = new(2026, 11, 19, 1, 0, 0, TimeSpan.Zero); // 10:00 KST

    /// <summary>
    /// A fresh container over this database, as a restarted process would build it: the production composition
    /// (<see cref="TestHost"/>) with the given clock and configuration. Disposing it disposes the host's services.
    /// </summary>
    public ServiceProvider BuildServices(TimeProvider time, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? extra = null)
    {
        var values = StorageSettings;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var host = _host.Build(values, time, extra);
        return (ServiceProvider)host.Services;
    }

    /// <summary>An article with one prediction per (model, direction, impact, confidence), arrived and predicted at <paramref name="at"/>.</summary>
    public Task<string> AddPredictedArticleAsync(string ticker, DateTimeOffset at, params (string Model, string Direction, string Impact, double Confidence)[] predictions) =>
        AddArticleAsync(new TestArticle(ticker, at), predictions.Select(p => new TestVote(p.Model, p.Direction, p.Impact, p.Confidence)).ToArray());

    /// <summary>An article as ingested at <see cref="TestArticle.ArrivedAt"/>, with its predictions stored at <see cref="TestArticle.PredictedAt"/>.</summary>
    public async Task<string> AddArticleAsync(TestArticle article, params TestVote[] votes)
    {
        var id = article.Id ?? $"art-{Interlocked.Increment(ref _articles):D4}";
        var arrived = article.ArrivedAt;
        var predicted = article.PredictedAt ?? arrived;
        await using var connection = await Connections.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            """
            INSERT INTO news_articles (id, ticker, title, summary, source, url, published_at, sentiment, created_at, predicted_at)
            VALUES (@Id, @Ticker, @Title, NULL, 'test', @Url, @Published, NULL, @Arrived, @Predicted)
            """,
            new { Id = id, article.Ticker, Title = article.Title ?? $"News about {article.Ticker}", article.Url, Published = article.PublishedAt ?? arrived, Arrived = arrived, Predicted = predicted });
        foreach (var v in votes)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO predictions (article_id, model_id, status, direction, impact, confidence, reasoning, attempts, created_at, updated_at)
                VALUES (@Id, @Model, 'ok', @Direction, @Impact, @Confidence, @Reasoning, 1, @Predicted, @Predicted)
                """, new { Id = id, v.Model, v.Direction, v.Impact, v.Confidence, v.Reasoning, Predicted = predicted });
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

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        _folder.Dispose();
    }

    public static FakeTimeProvider NewClock() => new(Start);
}

/// <param name="PredictedAt">When its predictions were stored; the arrival time when null.</param>
public sealed record TestArticle(
    string Ticker, DateTimeOffset ArrivedAt, DateTimeOffset? PredictedAt = null, string? Id = null, string? Title = null, string? Url = null, DateTimeOffset? PublishedAt = null);

public sealed record TestVote(string Model, string Direction, string Impact, double Confidence, string? Reasoning = null);
