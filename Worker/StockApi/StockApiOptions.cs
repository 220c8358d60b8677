using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.StockApi;

public sealed class StockApiOptions : IValidatedOptions
{
    public static string Section => "StockApi";

    /// <summary>Upstream root; when empty the daemon runs but does not poll.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Sent as X-WebAI-Key. A secret: never logged.</summary>
    public string? ApiKey { get; set; }

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public int MaxRetries { get; set; } = 3;

    public CacheTtlOptions CacheTtl { get; set; } = new();

    public TimeSpan MaxStaleAge { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Recorded snapshots older than this are pruned (at most once an hour).</summary>
    public TimeSpan SnapshotRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The longest a 429 Retry-After is obeyed within one cycle; longer asks are cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an endpoint's open circuit refuses calls. Just under the one-minute cadence: a dead upstream costs
    /// one probe per endpoint and cycle instead of four attempts and 7 s of back-off, and a returning upstream is
    /// picked up by the next cycle.
    /// </summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(50);

    public bool PollingEnabled => !string.IsNullOrWhiteSpace(BaseUrl);

    public void Validate(OptionsProblems problems)
    {
        problems.AbsoluteHttpUrl(nameof(BaseUrl), BaseUrl);
        problems.InRange(nameof(AttemptTimeout), AttemptTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        problems.InRange(nameof(MaxRetries), MaxRetries, 0, 10);
        problems.InRange(nameof(MaxStaleAge), MaxStaleAge, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
        problems.InRange(nameof(SnapshotRetention), SnapshotRetention, TimeSpan.FromHours(1), TimeSpan.FromDays(366));
        problems.InRange(nameof(MaxRetryAfter), MaxRetryAfter, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        problems.InRange(nameof(CircuitBreakDuration), CircuitBreakDuration, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        problems.Nested(nameof(CacheTtl), CacheTtl.Validate);
    }
}

public sealed class CacheTtlOptions
{
    public TimeSpan Portfolio { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan NewsSentiment { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan Screener { get; set; } = TimeSpan.FromMinutes(1);

    public void Validate(OptionsProblems problems)
    {
        problems.InRange(nameof(Portfolio), Portfolio, TimeSpan.Zero, TimeSpan.FromHours(1));
        problems.InRange(nameof(NewsSentiment), NewsSentiment, TimeSpan.Zero, TimeSpan.FromHours(1));
        problems.InRange(nameof(Screener), Screener, TimeSpan.Zero, TimeSpan.FromHours(1));
    }
}
