using System.Collections.Concurrent;

namespace KrxSignal.Worker.StockApi;

/// <summary>What the heartbeat says about one endpoint; replaced whole on every fetch, so readers never see half an update.</summary>
/// <param name="StaleDataFetchedAt">When the value being served stale was fetched; its age is computed when the heartbeat is written.</param>
/// <param name="Missing">No usable data: never fetched, or the last good value is older than StockApi:MaxStaleAge.</param>
internal sealed record EndpointStatus(
    DateTimeOffset? LastSuccess,
    int ConsecutiveFailures,
    DateTimeOffset? StaleDataFetchedAt,
    string? LastError,
    bool KeyRejected,
    bool Missing)
{
    public static EndpointStatus Initial { get; } = new(null, 0, null, null, false, false);

    public bool ServedStale => StaleDataFetchedAt is not null;
}

/// <summary>The poll stage's record of each endpoint, read by the heartbeat contributor.</summary>
internal sealed class EndpointHealthBoard
{
    private readonly ConcurrentDictionary<string, EndpointStatus> _statuses = new();

    public EndpointStatus this[string endpoint] => _statuses.GetValueOrDefault(endpoint, EndpointStatus.Initial);

    public IReadOnlyDictionary<string, EndpointStatus> Snapshot() => _statuses.ToDictionary(p => p.Key, p => p.Value);

    public EndpointStatus Update(string endpoint, Func<EndpointStatus, EndpointStatus> change) =>
        _statuses.AddOrUpdate(endpoint, _ => change(EndpointStatus.Initial), (_, current) => change(current));
}
