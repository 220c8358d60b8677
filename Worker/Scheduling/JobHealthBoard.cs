using System.Collections.Concurrent;

namespace KrxSignal.Worker.Scheduling;

/// <param name="Fault">The class of the last failure ("database locked by another process", "disk full", a type name).</param>
/// <param name="Error">The last failure in full, the database file named.</param>
internal sealed record JobHealthState(int ConsecutiveFailures, string? Fault, string? Error, DateTimeOffset? LastFailureAt, DateTimeOffset? LastSuccessAt)
{
    public static JobHealthState Initial { get; } = new(0, null, null, null, null);
}

/// <summary>
/// Each job's streak of failed runs (a fault: the database refused, an exception escaped), kept in memory so the
/// heartbeat tells the truth even when the database cannot record the runs themselves.
/// </summary>
internal sealed class JobHealthBoard
{
    private readonly ConcurrentDictionary<string, JobHealthState> _jobs = new();

    public IReadOnlyDictionary<string, JobHealthState> Snapshot() => _jobs.ToDictionary(p => p.Key, p => p.Value);

    public JobHealthState this[string job] => _jobs.GetValueOrDefault(job, JobHealthState.Initial);

    public void Failed(string job, string fault, string error, DateTimeOffset at) =>
        _jobs.AddOrUpdate(
            job,
            _ => new JobHealthState(1, fault, error, at, null),
            (_, s) => s with { ConsecutiveFailures = s.ConsecutiveFailures + 1, Fault = fault, Error = error, LastFailureAt = at });

    public void Succeeded(string job, DateTimeOffset at) =>
        _jobs.AddOrUpdate(job, _ => JobHealthState.Initial with { LastSuccessAt = at }, (_, s) => s with { ConsecutiveFailures = 0, LastSuccessAt = at });
}
