namespace KrxSignal.Worker.Pipeline;

/// <summary>
/// One stage of the pipeline: poll (with ingest), predict, signal, notify. <see cref="PipelineRunner"/> takes the
/// four in its constructor and fixes their order; the daemon's jobs, `poll-once` and `replay` all drive these same
/// stages, so there is one implementation of each step.
/// </summary>
internal interface IPipelineStage
{
    /// <summary>"poll", "predict", "signal" or "notify": also the job name in job_runs and the logs.</summary>
    string Name { get; }

    Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken);
}

/// <param name="NextPollAt">When the next poll is due; a Retry-After wait never runs past it. Null outside a schedule.</param>
/// <param name="ForceFresh">Bypass the fresh cache (poll-once); the stale fallback still applies.</param>
/// <param name="DeliverNow">Attempt every pending delivery now, ignoring backoff (poll-once).</param>
/// <param name="Window">The market window of this poll (pre-market, regular, post-market), for the log; null outside a schedule.</param>
public sealed record StageContext(DateTimeOffset? NextPollAt = null, bool ForceFresh = false, bool DeliverNow = false, string? Window = null);

public enum StageOutcome
{
    Ok,
    Partial,
    Failed,
}

/// <param name="Items">What the stage processed (articles ingested, predictions made, signals created, messages sent).</param>
/// <param name="Summary">One line for the log and job_runs.error when not ok.</param>
public sealed record StageResult(StageOutcome Outcome, int Items, string Summary)
{
    /// <summary>Named counts beyond <see cref="Items"/> (e.g. "suppressed" signals) that a replay adds up.</summary>
    public IReadOnlyDictionary<string, int>? Counts { get; init; }

    /// <summary>Set when an exception escaped the stage: the class of the fault (see Storage/DatabaseFaults).</summary>
    public string? Fault { get; init; }

    public static StageResult Ok(int items, string summary) => new(StageOutcome.Ok, items, summary);
}

/// <summary>What one stage reported, under its name.</summary>
internal sealed record StageRun(string Stage, StageResult Result);
