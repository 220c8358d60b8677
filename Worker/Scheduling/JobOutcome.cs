using KrxSignal.Worker.Pipeline;

namespace KrxSignal.Worker.Scheduling;

/// <summary>The job_runs status values (a CHECK constraint in the schema).</summary>
internal enum JobRunStatus
{
    Ok,
    Partial,
    Failed,
    Cancelled,
}

/// <param name="Error">Why it was not ok; for a skipped run, why it was skipped.</param>
internal sealed record JobOutcome(JobRunStatus Status, int Items, string? Error)
{
    public string StatusText => Status switch
    {
        JobRunStatus.Ok => "ok",
        JobRunStatus.Partial => "partial",
        JobRunStatus.Failed => "failed",
        _ => "cancelled",
    };

    /// <summary>job_runs has no 'skipped' status: a skipped run is ok with no items, and says why.</summary>
    public static JobOutcome Skipped(string why) => new(JobRunStatus.Ok, 0, $"skipped: {why}");

    /// <summary>ok when every stage was ok, failed when every stage failed, partial otherwise.</summary>
    public static JobOutcome From(IReadOnlyList<StageRun> results)
    {
        var items = results.Sum(r => r.Result.Items);
        var problems = results.Where(r => r.Result.Outcome != StageOutcome.Ok).Select(r => $"{r.Stage}: {r.Result.Summary}").ToList();
        var status = problems.Count == 0 ? JobRunStatus.Ok
            : results.All(r => r.Result.Outcome == StageOutcome.Failed) ? JobRunStatus.Failed
            : JobRunStatus.Partial;
        return new JobOutcome(status, items, problems.Count == 0 ? null : string.Join("; ", problems));
    }
}
