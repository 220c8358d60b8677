namespace KrxSignal.Worker.Health;

/// <summary>Ordered from best to worst, so the overall status is the maximum of the parts.</summary>
public enum HealthStatus
{
    Healthy,
    Degraded,
    Unhealthy,
    Stopped,
}
