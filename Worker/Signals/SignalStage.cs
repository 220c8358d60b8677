using System.Globalization;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.StockApi;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Signals;

/// <summary>The "signal" stage: consensus per ticker over the votes on recent articles, then dedup-guarded signal rows.</summary>
public sealed partial class SignalStage(
    SignalStore store,
    MarketData market,
    IOptions<SignalsOptions> options,
    IOptions<StockApiOptions> stockApi,
    TimeProvider time,
    ILogger<SignalStage> logger) : IPipelineStage
{
    public const string StageName = "signal";

    private string? _lastSummary;

    public string Name => StageName;

    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var rows = await store.LoadVotesAsync(now.AddMinutes(-settings.LookbackMinutes), now, cancellationToken);
        var consensus = ConsensusCalculator.Compute(rows.Select(r => r.ToVote()), settings.Weights);
        var holdings = HoldingsView.From(market.Portfolio, now, stockApi.Value.MaxStaleAge);
        var decision = SignalDecider.Decide(consensus, holdings, settings);

        foreach (var refusal in decision.Refusals)
        {
            Log.Refused(logger, refusal.Ticker, refusal.Action, refusal.Score, refusal.Reason);
        }

        int created = 0, suppressed = 0, weakReversals = 0;
        foreach (var candidate in decision.Candidates)
        {
            var name = CompanyNames.Find(market, candidate.Ticker) ?? await store.LastKnownNameAsync(candidate.Ticker, cancellationToken);
            var details = EvidenceBuilder.Build(candidate, rows, name, settings.Weights);
            var write = await store.TryCreateAsync(candidate, details, now, settings, cancellationToken);
            if (write.SignalId is { } id)
            {
                created++;
                if (write.Reverses is { } reversed)
                {
                    Log.CreatedReversal(logger, id, candidate.Ticker, name, candidate.Action, candidate.Score, reversed.Action, reversed.SignalId, reversed.CreatedAt, candidate.Reason);
                }
                else
                {
                    Log.Created(logger, id, candidate.Ticker, name, candidate.Action, candidate.Score, candidate.Reason);
                }
            }
            else if (write.TooWeakToReverse)
            {
                weakReversals++;
                Log.WeakReversal(logger, candidate.Ticker, candidate.Action, candidate.Score, write.Reverses!.Action, write.Reverses.CreatedAt, settings.ReversalThreshold);
            }
            else
            {
                suppressed++;
                Log.Suppressed(logger, candidate.Ticker, candidate.Action, write.RepeatOf!.Value, settings.DedupWindow);
            }
        }

        var refused = decision.Refusals.Count + weakReversals;
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{created} signals created, {suppressed} suppressed as repeats, {refused} refused, {decision.BelowQuorum} tickers below quorum, {consensus.Count} tickers with {rows.Count} votes");
        // The stage runs every minute, and a consensus stays in the lookback for an hour: the same
        // summary again is news to nobody, so only a new signal or a changed picture reaches Info.
        if (created > 0 || (created + suppressed + refused > 0 && summary != _lastSummary))
        {
            Log.Summary(logger, summary);
        }
        else if (created + suppressed + refused > 0)
        {
            Log.SummaryUnchanged(logger, summary);
        }

        _lastSummary = summary;

        return StageResult.Ok(created, summary) with
        {
            Counts = new Dictionary<string, int> { ["suppressed"] = suppressed, ["refused"] = refused, ["weak-reversals"] = weakReversals },
        };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Signal {SignalId}: {Action} {Ticker} {Name} at score {Score:0.000} ({Reason})")]
        public static partial void Created(ILogger logger, long signalId, string ticker, string? name, string action, double score, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Signal {SignalId}: {Action} {Ticker} {Name} at score {Score:0.000} REVERSES the {PreviousAction} signal {PreviousId} of {PreviousAt:o} ({Reason})")]
        public static partial void CreatedReversal(ILogger logger, long signalId, string ticker, string? name, string action, double score, string previousAction, long previousId, DateTimeOffset previousAt, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "No {Action} signal for {Ticker} at score {Score:0.000}: it would reverse the {PreviousAction} signal of {PreviousAt:o}, which needs Signals:ReversalThreshold {Threshold:0.00}")]
        public static partial void WeakReversal(ILogger logger, string ticker, string action, double score, string previousAction, DateTimeOffset previousAt, double threshold);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Signal {Action} {Ticker} suppressed: the same signal was created at {LastSent:o}, inside the {Window} dedup window")]
        public static partial void Suppressed(ILogger logger, string ticker, string action, DateTimeOffset lastSent, TimeSpan window);

        [LoggerMessage(Level = LogLevel.Debug, Message = "No {Action} signal for {Ticker} at score {Score:0.000}: {Reason}")]
        public static partial void Refused(ILogger logger, string ticker, string action, double score, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Signals: {Summary}")]
        public static partial void Summary(ILogger logger, string summary);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Signals (unchanged): {Summary}")]
        public static partial void SummaryUnchanged(ILogger logger, string summary);
    }
}
