namespace KrxSignal.Worker.Health;

/// <summary>What contributors fill in before a heartbeat is written; the worst reported status wins.</summary>
public sealed class HeartbeatDraft
{
    private readonly List<string> _reasons = [];
    private readonly List<string> _warnings = [];

    public HealthStatus Status { get; private set; } = HealthStatus.Healthy;

    public IReadOnlyList<string> Reasons => _reasons;

    public IReadOnlyList<string> Warnings => _warnings;

    public string? Window { get; set; }

    public DateTimeOffset? NextPoll { get; set; }

    public Dictionary<string, EndpointHealth>? Endpoints { get; set; }

    public Dictionary<string, ModelHealth>? Models { get; set; }

    /// <summary>Articles waiting for predictions; filled by the prediction feature.</summary>
    public int? PendingArticles { get; set; }

    /// <summary>Outbox state; filled by the notification feature.</summary>
    public (int Pending, double? OldestAgeSeconds, int Failed)? Notifications { get; set; }

    public IReadOnlyList<JobRunHealth>? LastRuns { get; set; }

    /// <summary>Today's signals; filled by the signal feature.</summary>
    public SignalsToday? Signals { get; set; }

    /// <summary>The cluster; filled by the scheduling feature on PostgreSQL only.</summary>
    public ClusterHealth? Cluster { get; set; }

    /// <summary>Lowers the overall status to at least <paramref name="status"/> and says why.</summary>
    public void Report(HealthStatus status, string reason)
    {
        if (status > Status)
        {
            Status = status;
        }

        _reasons.Add(reason);
    }

    /// <summary>Something the operator should know that does not change the status.</summary>
    public void Warn(string warning) => _warnings.Add(warning);
}
