namespace KrxSignal.Worker.Health;

/// <summary>A feature's part of the heartbeat; each feature registers its own and owns its state.</summary>
internal interface IHeartbeatContributor
{
    ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken);
}
