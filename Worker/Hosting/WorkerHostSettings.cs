namespace KrxSignal.Worker.Hosting;

internal sealed record WorkerHostSettings
{
    /// <summary>Where appsettings.json, nlog.config and relative paths are found; the binary's folder by default.</summary>
    public string ContentRoot { get; init; } = AppContext.BaseDirectory;

    /// <summary>Console log lines go to stderr, keeping stdout for a command's own output (csv, json).</summary>
    public bool ConsoleLogsToStandardError { get; init; }

    /// <summary>Only the daemon writes the rolling log files; one-shot commands log to the console, so a replay never mixes its virtual day into the daemon's log.</summary>
    public bool WritesLogFiles { get; init; }

    /// <summary>Extra configuration applied last; tests use it instead of environment variables.</summary>
    public IReadOnlyDictionary<string, string?>? Overrides { get; init; }
}
