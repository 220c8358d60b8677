namespace KrxSignal.Worker.Signals;

/// <summary>The weighted consensus of one ticker's votes.</summary>
/// <param name="Score">Weighted mean of the votes in [-1, 1]; 0 when every weight is 0.</param>
/// <param name="Votes">Predictions counted.</param>
/// <param name="Models">Distinct models among them (the quorum counts these).</param>
/// <param name="Up">Votes for up.</param>
/// <param name="Down">Votes for down.</param>
/// <param name="Neutral">Neutral votes: they add weight, pulling the score toward 0.</param>
public sealed record TickerConsensus(string Ticker, double Score, int Votes, int Models, int Up, int Down, int Neutral);
