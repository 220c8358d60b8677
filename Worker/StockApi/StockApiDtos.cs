using System.Text.Json.Serialization;

namespace KrxSignal.Worker.StockApi;

// The upstream's shapes (docs/stock-api.yaml). snake_case on the wire; tickers are strings, never numbers.

public sealed record Portfolio(
    [property: JsonPropertyName("as_of")] DateTimeOffset AsOf,
    [property: JsonPropertyName("cash_krw")] long CashKrw,
    [property: JsonPropertyName("total_value_krw")] long TotalValueKrw,
    [property: JsonPropertyName("holdings")] IReadOnlyList<Holding> Holdings);

public sealed record Holding(
    [property: JsonPropertyName("ticker")] string Ticker,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("quantity")] long Quantity,
    [property: JsonPropertyName("avg_price")] decimal AvgPrice,
    [property: JsonPropertyName("current_price")] decimal CurrentPrice,
    [property: JsonPropertyName("pnl_pct")] double PnlPct,
    [property: JsonPropertyName("market_value")] long? MarketValue = null,
    [property: JsonPropertyName("weight_pct")] double? WeightPct = null);

public sealed record NewsSentiment(
    [property: JsonPropertyName("date")] DateOnly Date,
    [property: JsonPropertyName("generated_at")] DateTimeOffset GeneratedAt,
    [property: JsonPropertyName("tickers")] IReadOnlyList<TickerSentiment> Tickers,
    [property: JsonPropertyName("articles")] IReadOnlyList<Article> Articles);

public sealed record TickerSentiment(
    [property: JsonPropertyName("ticker")] string Ticker,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("article_count")] int ArticleCount,
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("positive")] int? Positive = null,
    [property: JsonPropertyName("negative")] int? Negative = null,
    [property: JsonPropertyName("neutral")] int? Neutral = null);

public sealed record Article(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("published_at")] DateTimeOffset PublishedAt,
    [property: JsonPropertyName("ticker")] string? Ticker = null,
    [property: JsonPropertyName("summary")] string? Summary = null,
    [property: JsonPropertyName("source")] string? Source = null,
    [property: JsonPropertyName("url")] string? Url = null,
    [property: JsonPropertyName("sentiment")] double? Sentiment = null);

internal sealed record ScreenerRequest(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("top_n")] int TopN = 20,
    [property: JsonPropertyName("weights")] IReadOnlyDictionary<string, double>? Weights = null);

public sealed record ScreenerResult(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("run_at")] DateTimeOffset RunAt,
    [property: JsonPropertyName("results")] IReadOnlyList<ScreenerRow> Results);

public sealed record ScreenerRow(
    [property: JsonPropertyName("rank")] int Rank,
    [property: JsonPropertyName("ticker")] string Ticker,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("factors")] IReadOnlyDictionary<string, double>? Factors = null,
    [property: JsonPropertyName("close")] double? Close = null,
    [property: JsonPropertyName("change_pct")] double? ChangePct = null);
