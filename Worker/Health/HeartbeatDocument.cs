namespace KrxSignal.Worker.Health;

/// <summary>The heartbeat file (README's Files it writes). Sections a feature has not filled stay null.</summary>
public sealed record HeartbeatDocument
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
    double DailyBudgetUsd);

public sealed record BacklogHealth(
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
