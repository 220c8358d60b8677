using KrxSignal.Worker.Health;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// A failing job makes the heartbeat degraded at once and unhealthy after Heartbeat:UnhealthyAfterFailures runs in a
/// row, naming the job and the class of the error.
/// </summary>
internal sealed class JobFailureHealth(JobHealthBoard board, IOptions<HeartbeatOptions> options) : IHeartbeatContributor
{
    public ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken)
    {
        var limit = options.Value.UnhealthyAfterFailures;
        foreach (var (job, state) in board.Snapshot().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (state.ConsecutiveFailures == 0)
            {
                continue;
            }

            var status = state.ConsecutiveFailures >= limit ? HealthStatus.Unhealthy : HealthStatus.Degraded;
            var runs = state.ConsecutiveFailures == 1 ? "its last run" : $"its last {state.ConsecutiveFailures} runs";
            draft.Report(status, $"job {job} failing ({state.Fault}) in {runs}: {state.Error}");
        }

        return ValueTask.CompletedTask;
    }
}
