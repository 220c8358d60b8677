using System.Globalization;
using KrxSignal.Worker.Health;

namespace KrxSignal.Worker.StockApi;

/// <summary>The endpoints' part of the heartbeat: per endpoint state, and why the worker is degraded or unhealthy.</summary>
internal sealed class StockApiHealth(EndpointHealthBoard board, TimeProvider time) : IHeartbeatContributor
{
    public const string KeyRejectedReason = "upstream rejected the key";

    public ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken)
    {
        var statuses = board.Snapshot();
        if (statuses.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var now = time.GetUtcNow();
        draft.Endpoints ??= [];
        foreach (var (endpoint, status) in statuses.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            double? staleAge = status.StaleDataFetchedAt is { } at ? Math.Round((now - at).TotalSeconds) : null;
            draft.Endpoints[endpoint] = new EndpointHealth(status.LastSuccess, status.ConsecutiveFailures, status.ServedStale, staleAge, status.LastError);
            if (status.ConsecutiveFailures == 0)
            {
                continue;
            }

            if (status.KeyRejected)
            {
                draft.Report(HealthStatus.Unhealthy, $"{KeyRejectedReason} ({endpoint}); check StockApi__ApiKey");
            }
            else if (status.ServedStale)
            {
                draft.Report(HealthStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"{endpoint}: serving stale data ({staleAge:0} s old) after {status.ConsecutiveFailures} failures: {status.LastError}"));
            }
            else
            {
                draft.Report(HealthStatus.Degraded, $"{endpoint}: no usable data after {status.ConsecutiveFailures} failures: {status.LastError}");
            }
        }

        return ValueTask.CompletedTask;
    }
}
