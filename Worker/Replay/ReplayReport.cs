using KrxSignal.Worker.Signals;

namespace KrxSignal.Worker.Replay;

/// <summary>What a replay did, for its summary table and for tests: totals over every replayed day, and each day.</summary>
internal sealed record ReplayReport
{
    /// <summary>The replayed trading days, in order.</summary>
    public required IReadOnlyList<ReplayDayReport> Days { get; init; }

    /// <summary>Days of the file on which the calendar has no polls (weekends, holidays): not replayed.</summary>
    public required IReadOnlyList<DateOnly> SkippedDays { get; init; }

    public DateOnly Day => Days[0].Day;

    public required string DatabasePath { get; init; }

    public required IReadOnlyDictionary<string, int> PollsPerWindow { get; init; }

    public required int PipelineRuns { get; init; }

    public required IReadOnlyDictionary<string, int> PollOutcomes { get; init; }

    public required int RecordingsServed { get; init; }

    public required int RecordingsReused { get; init; }

    public required int RequestsUnrecorded { get; init; }

    public required int UpstreamFailures { get; init; }

    public required int StaleServes { get; init; }

    public required int ArticlesIngested { get; init; }

    public required int ArticlesWithTicker { get; init; }

    /// <summary>model id → status (ok, failed, skipped) → rows.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Predictions { get; init; }

    public required IReadOnlyDictionary<string, int> Signals { get; init; }

    public required int DedupSuppressions { get; init; }

    /// <summary>The day's signals per confidence band (all bands, zeros too); empty until read from the replay database.</summary>
    public IReadOnlyList<ConfidenceBand> ConfidenceBands { get; init; } = [];

    /// <summary>channel → status (sent, pending, failed, skipped) → deliveries.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Deliveries { get; init; }

    public required bool RealDelivery { get; init; }

    public required TimeSpan WallTime { get; init; }

    public int Polls => PollsPerWindow.Values.Sum();
}
