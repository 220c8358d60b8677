using Dapper;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KrxSignal.Worker.Tests.Predictions;

/// <summary>The real composition (<see cref="TestHost"/>) over a real database (SQLite unless the settings say otherwise), with the prediction stage ready to drive.</summary>
internal sealed class PredictionHost : IDisposable
{
    private readonly TestHost _fixture;
    private readonly IHost _host;

    private PredictionHost(TestHost fixture, IHost host)
    {
        _fixture = fixture;
        _host = host;
    }

    public IServiceProvider Services => _host.Services;

    public PredictStage Stage => Services.GetRequiredService<PredictStage>();

    public Database Connections => Services.GetRequiredService<Database>();

    /// <param name="time">The clock; the real one when null, for the tests that measure real model calls.</param>
    public static async Task<PredictionHost> StartAsync(
        TempFolder folder, IDictionary<string, string?> settings, TimeProvider? time = null, Action<IServiceCollection>? configure = null)
    {
        var fixture = new TestHost(folder);
        var host = await fixture.BuildMigratedAsync(new Dictionary<string, string?>(settings), time ?? TimeProvider.System, configure);
        return new PredictionHost(fixture, host);
    }

    /// <summary>Model settings for Models:N in the configuration.</summary>
    public static Dictionary<string, string?> Model(int index, string id, string provider, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"Models:{index}:Id"] = id,
            [$"Models:{index}:Provider"] = provider,
        };
        foreach (var (key, value) in more)
        {
            settings[$"Models:{index}:{key}"] = value;
        }

        return settings;
    }

    public async Task InsertArticleAsync(string id, string? ticker, string title, DateTimeOffset publishedAt, double? sentiment = null, string? summary = null)
    {
        await using var connection = await Connections.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            "INSERT INTO news_articles (id, ticker, title, summary, published_at, sentiment, created_at) VALUES (@id, @ticker, @title, @summary, @publishedAt, @sentiment, @publishedAt);",
            new { id, ticker, title, summary, publishedAt, sentiment });
    }

    public async Task<List<StoredPrediction>> PredictionsAsync()
    {
        await using var connection = await Connections.OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<StoredPrediction>(
            "SELECT article_id AS ArticleId, model_id AS ModelId, status AS Status, direction AS Direction, impact AS Impact, confidence AS Confidence, " +
            "latency_ms AS LatencyMs, tokens_in AS TokensIn, cost AS Cost, error AS Error, attempts AS Attempts, normalised AS Normalised, transient AS Transient FROM predictions ORDER BY article_id, model_id;")).ToList();
    }

    public async Task<StoredPrediction> PredictionAsync(string articleId, string modelId) =>
        (await PredictionsAsync()).Single(p => p.ArticleId == articleId && p.ModelId == modelId);

    public async Task<List<string>> PredictedArticlesAsync()
    {
        await using var connection = await Connections.OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<string>("SELECT id FROM news_articles WHERE predicted_at IS NOT NULL ORDER BY id;")).ToList();
    }

    public async Task<(long Calls, long Failures, long Tokens, double Cost)> UsageAsync(string day, string modelId)
    {
        await using var connection = await Connections.OpenAsync(CancellationToken.None);
        return await connection.QuerySingleAsync<(long, long, long, double)>(
            "SELECT calls, failures, tokens, cost FROM model_usage WHERE day = @day AND model_id = @modelId;", new { day, modelId });
    }

    public void Dispose()
    {
        _host.Dispose();
        _fixture.Dispose();
    }
}

internal sealed class StoredPrediction
{
    public string ArticleId { get; set; } = "";

    public string ModelId { get; set; } = "";

    public string Status { get; set; } = "";

    public string? Direction { get; set; }

    public string? Impact { get; set; }

    public double? Confidence { get; set; }

    public long? LatencyMs { get; set; }

    public long? TokensIn { get; set; }

    public double? Cost { get; set; }

    public string? Error { get; set; }

    public long Attempts { get; set; }

    public string? Normalised { get; set; }

    public long Transient { get; set; }
}
