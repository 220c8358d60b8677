namespace KrxSignal.Worker.Signals;

/// <summary>A signal the consensus asks for, before the dedup decides whether it is a repeat.</summary>
public sealed record SignalCandidate(string Ticker, string Action, double Score, double Confidence, string Reason);

/// <summary>A ticker whose consensus crossed a threshold but which may not become a signal, and why.</summary>
public sealed record SignalRefusal(string Ticker, string Action, double Score, string Reason);
