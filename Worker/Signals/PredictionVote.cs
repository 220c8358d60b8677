namespace KrxSignal.Worker.Signals;

/// <summary>One ok prediction inside the lookback, joined to its article's ticker.</summary>
public sealed record PredictionVote(string Ticker, string ModelId, string Direction, string Impact, double Confidence);
