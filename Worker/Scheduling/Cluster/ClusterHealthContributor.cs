using KrxSignal.Worker.Health;
using Quartz;

namespace KrxSignal.Worker.Scheduling.Cluster;

/// <summary>
/// The heartbeat's cluster section: this node, the nodes Quartz's scheduler state lists with their last check-in,
/// and which node ran the last poll. Another node overdue or failed is a warning (the cluster carries on without it);
/// this node not checking in is degraded, since its peers are about to take its work.
/// </summary>
internal sealed class ClusterHealthContributor(ISchedulerFactory schedulers, ClusterIdentity identity, LastPollReader lastPoll) : IHeartbeatContributor
{
    public async ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken)
    {
        // Only a scheduler the daemon already built: asking the factory for one would build it before its schema exists.
        var scheduler = (await schedulers.GetAllSchedulers(cancellationToken)).FirstOrDefault(s => s.SchedulerName == QuartzSchema.SchedulerName);
        IReadOnlyList<ClusterNodeHealth> nodes = scheduler is { Status: SchedulerStatus.Running or SchedulerStatus.Standby }
            ? (await scheduler.QueryClusterNodes(cancellationToken)).Select(Describe).ToList()
            : [];
        var poll = await lastPoll.ReadAsync(cancellationToken);
        draft.Cluster = new ClusterHealth(identity.NodeName, identity.InstanceId, nodes, poll?.Node, poll?.StartedAt);

        foreach (var node in nodes.Where(n => n.State != "alive"))
        {
            if (node.Current)
            {
                draft.Report(HealthStatus.Degraded, $"this node ({node.Node}) is {node.State} in the cluster's check-ins: the other nodes will take over its work");
            }
            else
            {
                draft.Warn($"cluster node {node.Node} is {node.State} (last check-in {node.LastCheckIn:O})");
            }
        }
    }

    private static ClusterNodeHealth Describe(ClusterNode node) => new(
        ClusterIdentity.NameOf(node.InstanceId),
        node.InstanceId,
        node.LastCheckInUtc,
        node.CheckInInterval?.TotalSeconds,
        node.State switch
        {
            ClusterNodeState.Alive => "alive",
            ClusterNodeState.Overdue => "overdue",
            _ => "failed",
        },
        node.IsCurrentNode);
}
