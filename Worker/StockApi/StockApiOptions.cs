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

    public bool PollingEnabled => !string.IsNullOrWhiteSpace(BaseUrl);

    public void Validate(OptionsProblems problems)
    {
        problems.AbsoluteHttpUrl(nameof(BaseUrl), BaseUrl);
        problems.InRange(nameof(AttemptTimeout), AttemptTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        problems.InRange(nameof(MaxRetries), MaxRetries, 0, 10);
        problems.InRange(nameof(MaxStaleAge), MaxStaleAge, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
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
