namespace KrxSignal.Worker.Replay;

/// <summary>The records of one KST day of a replay file, in time order.</summary>
internal sealed record ReplayDayRecords(DateOnly Day, IReadOnlyList<ReplayRecord> Records);
