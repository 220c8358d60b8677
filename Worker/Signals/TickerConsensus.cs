namespace KrxSignal.Worker.Signals;

/// <summary>The weighted consensus of one ticker's votes.</summary>
/// <param name="Score">Σ direction·confidence·weight / Σ weight, in [-1, 1]; 0 when every weight is 0.</param>
/// <param name="Votes">The predictions counted, in the order they were read.</param>
/// <param name="Models">Distinct models among them (the quorum counts these).</param>
/// <param name="Articles">Distinct articles among them (MinArticles counts these).</param>
/// <param name="StrongestVote">The highest confidence of any vote: |Score| never exceeds it.</param>
public sealed record TickerConsensus(
    string Ticker, double Score, IReadOnlyList<PredictionVote> Votes, int Models, int Articles, double StrongestVote)
{
    public int Up => Votes.Count(v => v.Sign > 0);

    public int Down => Votes.Count(v => v.Sign < 0);

    public int Neutral => Votes.Count(v => v.Sign == 0);
}
