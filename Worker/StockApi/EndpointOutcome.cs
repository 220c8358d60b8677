using System.Globalization;

namespace KrxSignal.Worker.StockApi;

internal enum EndpointOutcomeKind
{
    /// <summary>Fetched now.</summary>
    Fresh,

    /// <summary>Still fresh in the cache (StockApi:CacheTtl); no request was sent.</summary>
    Cached,

    /// <summary>Every attempt failed; the last good value was served, younger than StockApi:MaxStaleAge.</summary>
    Stale,

    /// <summary>Every attempt failed and nothing usable was left.</summary>
    Failed,
}

/// <summary>One endpoint's part of a poll cycle.</summary>
internal sealed record EndpointOutcome(string Endpoint, EndpointOutcomeKind Kind, TimeSpan Latency, string? Problem = null, TimeSpan? StaleAge = null)
{
    public bool HasData => Kind is EndpointOutcomeKind.Fresh or EndpointOutcomeKind.Cached or EndpointOutcomeKind.Stale;

    /// <summary>"portfolio ok 120ms", "news-sentiment cached", "screener stale 312s (HTTP 500)", "portfolio failed (timed out)".</summary>
    public override string ToString() => Kind switch
    {
        EndpointOutcomeKind.Fresh => string.Create(CultureInfo.InvariantCulture, $"{Endpoint} ok {Latency.TotalMilliseconds:0}ms"),
        EndpointOutcomeKind.Cached => $"{Endpoint} cached",
        EndpointOutcomeKind.Stale => string.Create(CultureInfo.InvariantCulture, $"{Endpoint} stale {StaleAge?.TotalSeconds:0}s ({Problem}, {Latency.TotalMilliseconds:0}ms)"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Endpoint} failed ({Problem}, {Latency.TotalMilliseconds:0}ms)"),
    };
}

/// <summary>An outcome with the data it produced (fresh, cached or stale), published to <see cref="MarketData"/>.</summary>
/// <param name="Snapshot">The row for the recording; null when the cache answered and nothing was sent.</param>
internal sealed record EndpointFetch<T>(EndpointOutcome Outcome, Fetched<T>? Data, SnapshotRow? Snapshot = null);
