using KrxSignal.Worker.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Health;

/// <summary>
/// Rewrites the heartbeat on a timer and whenever a job asks; writes "stopped" on a clean stop.
/// As a liveness source it is alive while its writes keep landing: a stalled loop or a failing disk both stop them.
/// </summary>
internal sealed partial class HeartbeatWriter(
    IOptions<HeartbeatOptions> options,
    AppPaths paths,
    IEnumerable<IHeartbeatContributor> contributors,
    TimeProvider time,
    ILogger<HeartbeatWriter> logger) : BackgroundService, ILivenessSource
{
    /// <summary>
    /// A timer write reads the sections afresh only every this many ticks (a minute at the default interval); between,
    /// it rewrites the last sections with a new write time. Every job asks for a write when it ends, and such a write
    /// always reads afresh, so what changes is shown at once, while an idle night reads the database four times less.
    /// </summary>
    public const int RefreshEveryTicks = 4;

    private readonly SemaphoreSlim _wake = new(0, 1);
    private HeartbeatDraft? _sections;
    private int _ticksSinceRefresh;
    private PeriodicTimer? _ticker;
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private bool _failing;

    // UTC ticks of the last successful write, 0 before the first: read by the watchdog's thread, so no torn struct.
    private long _lastWrittenTicks;

    public string FilePath { get; } = paths.Resolve(options.Value.Path);

    /// <summary>When the last heartbeat reached the disk; the watchdog uses it as proof of life.</summary>
    public DateTimeOffset? LastWrittenAt
    {
        get => Interlocked.Read(ref _lastWrittenTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
        private set => Interlocked.Exchange(ref _lastWrittenTicks, value?.UtcTicks ?? 0);
    }

    public string Name => "heartbeat";

    /// <summary>Raised after each successful write.</summary>
    public event Action<HeartbeatDocument>? Written;

    /// <summary>Asks for a write soon, without waiting for it; calls while one is pending merge.</summary>
    public void RequestWrite()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller released it first: one write serves both.
            }
        }
    }

    /// <summary>Alive while the last write (or, before the first, the start) is under three intervals old: the same rule `Worker status` applies.</summary>
    public bool IsAlive(DateTimeOffset now, out string reason)
    {
        var limit = options.Value.Interval * HeartbeatVerdict.StaleAfterIntervals;
        var last = LastWrittenAt;
        var age = now - (last ?? _startedAt);
        if (age <= limit)
        {
            reason = "";
            return true;
        }

        var ageText = HeartbeatVerdict.FormatAge(age);
        reason = last is null
            ? $"no heartbeat written in the {ageText} since start"
            : $"last heartbeat written {ageText} ago to {FilePath}, expected every {options.Value.Interval.TotalSeconds:0.#}s";
        return false;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var stopped = Build(new HeartbeatDraft()) with { Status = HealthStatus.Stopped, Reasons = ["the Worker stopped cleanly"] };
        await TryWriteAsync(stopped, cancellationToken);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        _ticker?.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// The first heartbeat is written as the loop starts, beside the rest of start-up rather than before it: READY (and
    /// the other hosted services) need not wait for a file write. The watchdog gives a start three intervals of grace.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Armed here rather than in ExecuteAsync (which .NET runs on another thread): the cadence
        // starts with the start, and a tick that comes before the loop waits is not lost.
        _ticker = new PeriodicTimer(options.Value.Interval, time);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Both waits outlive the round that loses: a tick and a request each stay pending until they fire. Cancelling the
    /// losing semaphore wait every round instead threw (and caught) an OperationCanceledException inside SemaphoreSlim
    /// every 15 s, which perf showed on every idle round.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WriteCurrentAsync(stoppingToken);
        Task<bool>? tick = null;
        Task? request = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            tick ??= _ticker!.WaitForNextTickAsync(stoppingToken).AsTask();
            request ??= _wake.WaitAsync(stoppingToken);
            var requested = await Task.WhenAny(tick, request) == request;
            if (requested)
            {
                request = null;
            }
            else
            {
                tick = null;
            }

            if (!stoppingToken.IsCancellationRequested)
            {
                await WriteCurrentAsync(stoppingToken, refresh: requested || ++_ticksSinceRefresh >= RefreshEveryTicks);
            }
        }
    }

    private async Task WriteCurrentAsync(CancellationToken cancellationToken, bool refresh = true)
    {
        if (!refresh && _sections is { } last)
        {
            await TryWriteAsync(Build(last), cancellationToken);
            return;
        }

        _ticksSinceRefresh = 0;
        var draft = new HeartbeatDraft();
        foreach (var contributor in contributors)
        {
            try
            {
                await contributor.ContributeAsync(draft, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A section that cannot be read (the database refusing) is itself news, not a reason to stop writing.
                draft.Report(HealthStatus.Degraded, $"{contributor.GetType().Name} could not report: {Storage.DatabaseFaults.Classify(e)}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }

        _sections = draft;
        await TryWriteAsync(Build(draft), cancellationToken);
    }

    private HeartbeatDocument Build(HeartbeatDraft draft) => new()
    {
        Status = draft.Status,
        Reasons = draft.Reasons,
        Pid = Environment.ProcessId,
        Version = AppInfo.Version,
        StartedAt = _startedAt,
        WrittenAt = time.GetUtcNow(),
        IntervalSeconds = options.Value.Interval.TotalSeconds,
        Window = draft.Window,
        NextPoll = draft.NextPoll,
        Warnings = draft.Warnings.Count == 0 ? null : draft.Warnings,
        Endpoints = draft.Endpoints,
        Models = draft.Models,
        Backlog = draft.PendingArticles is null && draft.Notifications is null
            ? null
            : new BacklogHealth(draft.PendingArticles ?? 0, draft.Notifications?.Pending ?? 0, draft.Notifications?.OldestAgeSeconds, draft.Notifications?.Failed ?? 0),
        LastRuns = draft.LastRuns,
        Signals = draft.Signals,
        Cluster = draft.Cluster,
    };

    private async Task TryWriteAsync(HeartbeatDocument document, CancellationToken cancellationToken)
    {
        try
        {
            await HeartbeatFile.WriteAsync(FilePath, document, cancellationToken);
            LastWrittenAt = document.WrittenAt;
            Written?.Invoke(document);
            if (_failing)
            {
                _failing = false;
                Log.Recovered(logger, FilePath);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Logged once per failure streak; `Worker status` will report the file as stale meanwhile.
            if (!_failing)
            {
                _failing = true;
                Log.WriteFailed(logger, FilePath, e.Message.TrimEnd('.'));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Cannot write the heartbeat file {Path}: {Reason}. `Worker status` will report the daemon as stale until this is fixed")]
        public static partial void WriteFailed(ILogger logger, string path, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Heartbeat file {Path} is being written again")]
        public static partial void Recovered(ILogger logger, string path);
    }
}
