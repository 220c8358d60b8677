namespace KrxSignal.Worker.Signals;

/// <summary>A signal the consensus asks for, before the dedup decides whether it is a repeat or a reversal.</summary>
/// <param name="Basis">The consensus it comes from: its votes become the signal's evidence.</param>
public sealed record SignalCandidate(string Ticker, string Action, double Score, double Confidence, string Reason, TickerConsensus Basis);

/// <summary>A ticker whose consensus crossed a threshold but which may not become a signal, and why.</summary>
public sealed record SignalRefusal(string Ticker, string Action, double Score, string Reason);

/// <summary>What the decider made of one run's consensus.</summary>
/// <param name="BelowQuorum">Tickers with votes from fewer than Signals:Quorum models.</param>
/// <param name="BelowMinArticles">Tickers past a threshold whose votes rest on fewer than Signals:MinArticles articles.</param>
public sealed record SignalDecision(
    IReadOnlyList<SignalCandidate> Candidates, IReadOnlyList<SignalRefusal> Refusals, int BelowQuorum, int BelowMinArticles);
