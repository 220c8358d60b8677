using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Health.Watchdog;

/// <summary>
/// Tells systemd the daemon is alive (WATCHDOG=1) only while every <see cref="ILivenessSource"/> is, so a
/// wedged daemon is killed and restarted rather than left running idle. Without a systemd watchdog it ends the
/// daemon itself after <see cref="WatchdogOptions.SelfRestartAfter"/>, and the service manager's recovery restarts it.
/// </summary>
internal sealed partial class LivenessWatchdog(
    IEnumerable<ILivenessSource> sources,
    ISystemdNotifier notifier,
    SystemdWatchdogSettings systemd,
    IOptions<WatchdogOptions> options,
    TimeProvider time,
    ILogger<LivenessWatchdog> logger) : BackgroundService
{
    private static readonly ServiceState WatchdogPing = new("WATCHDOG=1");
    private readonly IReadOnlyList<ILivenessSource> _sources = sources.ToList();
    private DateTimeOffset? _wedgedSince;
    private string? _wedgedSource;
    private bool _sendFailing;

    /// <summary>Whether WATCHDOG=1 is sent at all: systemd asked for it and a socket is there to send it to.</summary>
    public bool PingsSystemd => systemd.Enabled && notifier.IsEnabled;

    public TimeSpan Period => PingsSystemd ? systemd.PingInterval!.Value : options.Value.CheckInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (PingsSystemd)
        {
            var names = string.Join(", ", _sources.Select(s => s.Name));
            Log.PingingSystemd(logger, systemd.Timeout!.Value.TotalSeconds, Period.TotalSeconds, names);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(Period, time, stoppingToken);
            Check(time.GetUtcNow());
        }
    }

    /// <summary>One round: ping when all sources are alive, otherwise log the first wedged one (once) and maybe give up.</summary>
    internal void Check(DateTimeOffset now)
    {
        foreach (var source in _sources)
        {
            if (!source.IsAlive(now, out var reason))
            {
                OnWedged(now, source.Name, reason);
                return;
            }
        }

        if (_wedgedSince is { } since)
        {
            Log.Recovered(logger, _wedgedSource!, VerdictAge(now - since));
            _wedgedSince = null;
            _wedgedSource = null;
        }

        if (PingsSystemd)
        {
            Ping();
        }
    }

    private void OnWedged(DateTimeOffset now, string source, string reason)
    {
        if (_wedgedSince is null || _wedgedSource != source)
        {
            _wedgedSince ??= now;
            _wedgedSource = source;
            if (PingsSystemd)
            {
                Log.WedgedUnderSystemd(logger, source, reason, systemd.Timeout!.Value.TotalSeconds);
            }
            else
            {
                Log.Wedged(logger, source, reason, options.Value.SelfRestartAfter.TotalSeconds);
            }
        }

        var selfRestartAfter = options.Value.SelfRestartAfter;
        if (!PingsSystemd && selfRestartAfter > TimeSpan.Zero && now - _wedgedSince >= selfRestartAfter)
        {
            throw new DaemonWedgedException($"{source} has been wedged for {VerdictAge(now - _wedgedSince.Value)}: {reason}");
        }
    }

    private void Ping()
    {
        try
        {
            notifier.Notify(WatchdogPing);
            if (_sendFailing)
            {
                _sendFailing = false;
                Log.PingRecovered(logger);
            }
        }
        catch (SocketException e)
        {
            // systemd will kill the daemon if this persists; say why once rather than on every ping.
            if (!_sendFailing)
            {
                _sendFailing = true;
                Log.PingFailed(logger, e.Message);
            }
        }
    }

    private static string VerdictAge(TimeSpan age) => HeartbeatVerdict.FormatAge(age);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog on: timeout {TimeoutSeconds}s, pinging every {PeriodSeconds}s while alive: {Sources}")]
        public static partial void PingingSystemd(ILogger logger, double timeoutSeconds, double periodSeconds, string sources);

        [LoggerMessage(Level = LogLevel.Critical, Message = "Watchdog: {Source} is wedged ({Reason}); no longer telling systemd the Worker is alive, so it restarts the service within {TimeoutSeconds}s")]
        public static partial void WedgedUnderSystemd(ILogger logger, string source, string reason, double timeoutSeconds);

        [LoggerMessage(Level = LogLevel.Critical, Message = "Watchdog: {Source} is wedged ({Reason}); the Worker exits for a restart if this lasts {SelfRestartSeconds}s (0 = never)")]
        public static partial void Wedged(ILogger logger, string source, string reason, double selfRestartSeconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Watchdog: {Source} is alive again after {Duration}")]
        public static partial void Recovered(ILogger logger, string source, string duration);

        [LoggerMessage(Level = LogLevel.Error, Message = "Watchdog: cannot send WATCHDOG=1 to systemd: {Reason}. systemd restarts the service if this goes on")]
        public static partial void PingFailed(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Watchdog: pings reach systemd again")]
        public static partial void PingRecovered(ILogger logger);
    }
}
