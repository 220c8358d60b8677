using System.Globalization;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.StockApi;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Signals;

/// <summary>The "signal" stage: consensus per ticker over recent predictions, then dedup-guarded signal rows.</summary>
public sealed partial class SignalStage(
    SignalStore store,
    MarketData market,
    IOptions<SignalsOptions> options,
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
        var votes = await store.LoadVotesAsync(now.AddMinutes(-settings.LookbackMinutes), now, cancellationToken);
        var consensus = ConsensusCalculator.Compute(votes, settings.Weights);
        var holdings = HoldingsView.From(market.Portfolio);
        var (candidates, refusals, belowQuorum) = SignalDecider.Decide(consensus, holdings, settings);

        foreach (var refusal in refusals)
        {
            Log.Refused(logger, refusal.Ticker, refusal.Action, refusal.Score, refusal.Reason);
        }

        int created = 0, suppressed = 0;
        foreach (var candidate in candidates)
        {
            var (signalId, suppressedBy) = await store.TryCreateAsync(candidate, now, settings.DedupWindow, cancellationToken);
            if (signalId is { } id)
            {
                created++;
                Log.Created(logger, id, candidate.Ticker, candidate.Action, candidate.Score, candidate.Reason);
            }
            else
            {
                suppressed++;
                Log.Suppressed(logger, candidate.Ticker, candidate.Action, suppressedBy!.Value, settings.DedupWindow);
            }
        }

        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{created} signals created, {suppressed} suppressed as repeats, {refusals.Count} refused, {belowQuorum} tickers below quorum, {consensus.Count} tickers with {votes.Count} votes");
        // The stage runs every minute, and a consensus stays in the lookback for an hour: the same
        // summary again is news to nobody, so only a new signal or a changed picture reaches Info.
        if (created > 0 || (created + suppressed + refusals.Count > 0 && summary != _lastSummary))
        {
            Log.Summary(logger, summary);
        }
        else if (created + suppressed + refusals.Count > 0)
        {
            Log.SummaryUnchanged(logger, summary);
        }

        _lastSummary = summary;

        return StageResult.Ok(created, summary) with { Counts = new Dictionary<string, int> { ["suppressed"] = suppressed, ["refused"] = refusals.Count } };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Signal {SignalId}: {Action} {Ticker} at score {Score:0.000} ({Reason})")]
        public static partial void Created(ILogger logger, long signalId, string ticker, string action, double score, string reason);

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
