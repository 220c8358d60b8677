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
        Connections = new SqliteDatabase(Path);
    }

    /// <summary>A new file, migrated to the latest schema.</summary>
    public static async Task<SignalsTestDatabase> CreateAsync()
    {
        var database = new SignalsTestDatabase();
        await new SchemaMigrator(database.Connections, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return database;
    }

    public string Path { get; }

    public SqliteDatabase Connections { get; }

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

    public void Dispose() => _folder.Dispose();

    public static FakeTimeProvider NewClock() => new(Start);
}

/// <param name="PredictedAt">When its predictions were stored; the arrival time when null.</param>
public sealed record TestArticle(
    string Ticker, DateTimeOffset ArrivedAt, DateTimeOffset? PredictedAt = null, string? Id = null, string? Title = null, string? Url = null, DateTimeOffset? PublishedAt = null);

public sealed record TestVote(string Model, string Direction, string Impact, double Confidence, string? Reasoning = null);
