namespace KrxSignal.Worker.Signals;

/// <summary>One ok prediction on an article that arrived inside the lookback, joined to the article's ticker.</summary>
/// <param name="ArticleId">The article voted on: MinArticles counts distinct ones.</param>
/// <param name="Reasoning">The model's own words, kept (shortened) as the signal's evidence.</param>
public sealed record PredictionVote(
    string Ticker, string ModelId, string Direction, string Impact, double Confidence, string ArticleId = "", string? Reasoning = null)
{
    /// <summary>+1 for up, -1 for down, 0 for neutral (and anything unknown).</summary>
    public int Sign => Direction switch
    {
        "up" => 1,
        "down" => -1,
        _ => 0,
    };
}
