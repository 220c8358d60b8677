using KrxSignal.Worker.Pipeline;

namespace KrxSignal.Worker.Scheduling;

/// <summary>The job_runs status values (a CHECK constraint in the schema).</summary>
internal enum JobRunStatus
{
    Ok,
    Partial,
    Failed,
    Cancelled,

    /// <summary>Left 'running' by a process that died; closed when the daemon next starts.</summary>
    Abandoned,
}

/// <param name="Error">Why it was not ok; for a skipped run, why it was skipped.</param>
internal sealed record JobOutcome(JobRunStatus Status, int Items, string? Error)
{
    public string StatusText => Status switch
    {
        JobRunStatus.Ok => "ok",
        JobRunStatus.Partial => "partial",
        JobRunStatus.Failed => "failed",
        JobRunStatus.Abandoned => "abandoned",
        _ => "cancelled",
    };

    /// <summary>Set when the run failed for a local fault (the database refused, an exception escaped): counts against the job's health.</summary>
    public string? Fault { get; init; }

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
        var fault = results.Select(r => r.Result.Fault).FirstOrDefault(f => f is not null);
        return new JobOutcome(status, items, problems.Count == 0 ? null : string.Join("; ", problems)) { Fault = fault };
    }
}
