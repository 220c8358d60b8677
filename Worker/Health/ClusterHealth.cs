namespace KrxSignal.Worker.Health;

/// <param name="Node">This node's name (Cluster:NodeName or the machine's).</param>
/// <param name="Instance">This process's Quartz instance id: the name and a random part, new at every start.</param>
/// <param name="Nodes">Every node in Quartz's scheduler state, this one first.</param>
/// <param name="LastPollNode">The node that ran the latest poll (job_runs.node), or null before the first.</param>
public sealed record ClusterHealth(string Node, string Instance, IReadOnlyList<ClusterNodeHealth> Nodes, string? LastPollNode = null, DateTimeOffset? LastPollAt = null);

/// <param name="State">alive, overdue (a check-in missed) or failed (its work is being taken over), as this node judges it.</param>
public sealed record ClusterNodeHealth(string Node, string Instance, DateTimeOffset? LastCheckIn, double? IntervalSeconds, string State, bool Current);
