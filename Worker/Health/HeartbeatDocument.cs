namespace KrxSignal.Worker.Health;

/// <summary>The heartbeat file (README, "Files it writes"). Sections a feature has not filled stay null.</summary>
internal sealed record HeartbeatDocument
{
    public required HealthStatus Status { get; init; }

    public required IReadOnlyList<string> Reasons { get; init; }

    public required int Pid { get; init; }

    public required string Version { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset WrittenAt { get; init; }

    /// <summary>How often the daemon promises to rewrite the file; a reader calls it stale after three of these.</summary>
    public required double IntervalSeconds { get; init; }

    public string? Window { get; init; }

    public DateTimeOffset? NextPoll { get; init; }

    public IReadOnlyList<string>? Warnings { get; init; }

    public IReadOnlyDictionary<string, EndpointHealth>? Endpoints { get; init; }

    public IReadOnlyDictionary<string, ModelHealth>? Models { get; init; }

    public BacklogHealth? Backlog { get; init; }

    public IReadOnlyList<JobRunHealth>? LastRuns { get; init; }

    public SignalsToday? Signals { get; init; }

    /// <summary>Only on PostgreSQL: this node, the nodes it sees, and which ran the last poll.</summary>
    public ClusterHealth? Cluster { get; init; }
}

public sealed record EndpointHealth(
    DateTimeOffset? LastSuccess,
    int ConsecutiveFailures,
    bool ServedStale,
    double? StaleAgeSeconds,
    string? LastError);

public sealed record ModelHealth(
    bool Enabled,
    string Circuit,
    double ErrorRate,
    int RecentCalls,
    double BudgetUsedUsd,
    double DailyBudgetUsd,
    string? Negotiated = null);

internal sealed record BacklogHealth(
    int PendingArticles,
    int PendingNotifications,
    double? OldestPendingNotificationAgeSeconds,
    int FailedNotifications);

public sealed record JobRunHealth(
    string Job,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string Status,
    int Items,
    string? Error);

/// <param name="Count">Signals created today (KST).</param>
/// <param name="Last">The most recent ones, newest first.</param>
public sealed record SignalsToday(int Count, IReadOnlyList<RecentSignal> Last);

public sealed record RecentSignal(DateTimeOffset CreatedAt, string Ticker, string? Name, string Action, double Confidence, bool Reversal, string Delivery);
