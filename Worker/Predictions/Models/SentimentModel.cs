using System.Globalization;
using KrxSignal.Worker.StockApi;

namespace KrxSignal.Worker.Predictions.Models;

/// <summary>
/// Offline and deterministic: blends the upstream's own scores. The article's sentiment weighs 0.6 and
/// the ticker's day sentiment 0.4 (both in −1..1); a ticker in the screener's preview adds up to +0.15 by
/// rank. Data that MarketData judges too old counts as missing, and missing inputs lower the confidence.
/// </summary>
public sealed class SentimentModel(MarketData market) : IPredictionModel
{
    private const double ArticleWeight = 0.6;
    private const double TickerWeight = 0.4;
    private const double ScreenerBonus = 0.15;
    private const double DirectionThreshold = 0.15;

    public string Provider => "sentiment";

    public Task<ModelAnswer> PredictAsync(ModelOptions model, PendingArticle article, CancellationToken cancellationToken)
    {
        var news = market.News.Value;
        var screener = market.Screener.Value;

        var tickerScore = news?.Tickers.FirstOrDefault(t => t.Ticker == article.Ticker)?.Score;
        var row = screener?.Results.FirstOrDefault(r => r.Ticker == article.Ticker);
        var rank = row is null ? (int?)null : row.Rank;
        return Task.FromResult(Score(article.Sentiment, tickerScore, rank, screener?.Results.Count ?? 0));
    }

    public static ModelAnswer Score(double? articleSentiment, double? tickerScore, int? screenerRank, int screenerSize)
    {
        double weighted = 0, weights = 0;
        if (articleSentiment is { } a)
        {
            weighted += ArticleWeight * Math.Clamp(a, -1, 1);
            weights += ArticleWeight;
        }

        if (tickerScore is { } t)
        {
            weighted += TickerWeight * Math.Clamp(t, -1, 1);
            weights += TickerWeight;
        }

        var blend = weights == 0 ? 0 : weighted / weights;
        var bonus = 0.0;
        if (screenerRank is { } rank && screenerSize > 0)
        {
            // Rank 1 of N adds the whole bonus, rank N almost nothing.
            bonus = ScreenerBonus * (1 - ((double)(Math.Clamp(rank, 1, screenerSize) - 1) / screenerSize));
        }

        var score = Math.Clamp(blend + bonus, -1, 1);
        var direction = score >= DirectionThreshold ? "up" : score <= -DirectionThreshold ? "down" : "neutral";
        var magnitude = Math.Abs(score);
        var impact = magnitude >= 0.6 ? "high" : magnitude >= 0.35 ? "medium" : "low";

        // Coverage: how much of the evidence was there (1 when both scores are present).
        var confidence = Math.Round(Math.Min(1, magnitude) * weights, 2);
        var reasoning = string.Create(
            CultureInfo.InvariantCulture,
            $"article {Describe(articleSentiment)}, ticker {Describe(tickerScore)}, screener rank {(screenerRank is { } r ? $"{r} of {screenerSize}" : "none")} → score {score:0.00}");
        return new ModelAnswer(direction, impact, confidence, reasoning);
    }

    private static string Describe(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
}
