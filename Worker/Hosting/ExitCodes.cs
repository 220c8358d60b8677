namespace KrxSignal.Worker.Hosting;

/// <summary>Process exit codes; the service manager and scripts rely on them (README's Exit codes table).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Degraded status, or a partial poll.</summary>
    public const int Partial = 1;

    /// <summary>Unhealthy, stale or missing heartbeat; a failed command.</summary>
    public const int Failed = 2;

    /// <summary>A fatal error inside the daemon (sysexits EX_SOFTWARE): the service manager restarts it.</summary>
    public const int Fatal = 70;

    /// <summary>The command line could not be parsed (sysexits EX_USAGE).</summary>
    public const int Usage = 64;

    /// <summary>A configuration value is missing or invalid (sysexits EX_CONFIG).</summary>
    public const int Configuration = 78;
}
