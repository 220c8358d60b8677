using KrxSignal.Worker.Health;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.StockApi;

/// <summary>A fresh install starts, and the heartbeat tells its operator what to configure.</summary>
internal sealed class PollingSetupHealth(IOptions<StockApiOptions> options) : IHeartbeatContributor
{
    public ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken)
    {
        if (!options.Value.PollingEnabled)
        {
            draft.Report(HealthStatus.Degraded, "polling is off until StockApi:BaseUrl is set");
        }

        return ValueTask.CompletedTask;
    }
}
