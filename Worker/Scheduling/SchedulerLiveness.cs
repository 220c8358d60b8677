using KrxSignal.Worker.Health;
using Quartz;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// The scheduler as a watchdog liveness source. <see cref="PipelineJob"/> fires every minute in the market windows and
/// while work is pending, and says when it will next run when it sleeps longer; a scheduler that is started, not shut
/// down or paused, and has run that job lately or is not yet due to, is doing its work; one that has gone quiet past
/// that (a stuck thread pool, a job that never returns) is wedged, and the watchdog lets the service manager restart
/// the daemon.
/// </summary>
internal sealed class SchedulerLiveness(TimeProvider time) : ILivenessSource
{
    /// <summary>Three missed minutes: one slow run or a skipped misfire is not a wedge, a silence this long is.</summary>
    public static readonly TimeSpan SilenceLimit = TimeSpan.FromMinutes(3);

    /// <summary>
    /// A run may legitimately take long (a batch of slow models with retries) and, while it runs, the minute trigger
    /// does not fire (the job disallows concurrent execution); beyond this one run is taken as stuck.
    /// </summary>
    public static readonly TimeSpan MaxRunTime = TimeSpan.FromMinutes(15);

    /// <summary>From start-up until the scheduler has had time to start and fire the first time.</summary>
    public static readonly TimeSpan StartGrace = TimeSpan.FromMinutes(3);

    private readonly Lock _gate = new();
    private readonly DateTimeOffset _createdAt = time.GetUtcNow();
    private IScheduler? _scheduler;
    private DateTimeOffset _attachedAt;
    private DateTimeOffset? _lastStarted;
    private DateTimeOffset? _lastFinished;
    private DateTimeOffset? _nextExpected;
    private int _running;

    public string Name => "scheduler";

    /// <summary>Called once the triggers are registered, with the scheduler the Quartz hosted service starts.</summary>
    public void Attach(IScheduler scheduler)
    {
        lock (_gate)
        {
            _scheduler = scheduler;
            _attachedAt = time.GetUtcNow();
        }
    }

    /// <summary>PipelineJob began a run.</summary>
    public void RunStarted()
    {
        lock (_gate)
        {
            _lastStarted = time.GetUtcNow();
            _running++;
        }
    }

    /// <summary>PipelineJob ended a run, however it ended.</summary>
    public void RunFinished()
    {
        lock (_gate)
        {
            _lastFinished = time.GetUtcNow();
            _running--;
        }
    }

    /// <summary>PipelineJob rescheduled itself: its next run is not due before <paramref name="at"/>.</summary>
    public void NextRunExpectedAt(DateTimeOffset at)
    {
        lock (_gate)
        {
            _nextExpected = at;
        }
    }

    public bool IsAlive(DateTimeOffset now, out string reason)
    {
        lock (_gate)
        {
            reason = Check(now) ?? "";
            return reason.Length == 0;
        }
    }

    private string? Check(DateTimeOffset now)
    {
        if (_scheduler is not { } scheduler)
        {
            return now - _createdAt <= StartGrace ? null : $"the scheduler has not started in the {Age(now - _createdAt)} since start-up";
        }

        switch (scheduler.Status)
        {
            case SchedulerStatus.Running:
                break;
            case SchedulerStatus.ShuttingDown or SchedulerStatus.Shutdown:
                return "the scheduler has been shut down";
            default:
                // Created (the hosted service has not started it yet), Standby or Unknown.
                return now - _attachedAt <= StartGrace ? null : $"the scheduler is not running ({scheduler.Status.ToString().ToLowerInvariant()})";
        }

        if (_running > 0 && _lastStarted is { } started)
        {
            return now - started <= MaxRunTime
                ? null
                : $"the {PipelineJob.JobName} job has been running for {Age(now - started)}, longer than {Age(MaxRunTime)}";
        }

        var last = Latest(_lastStarted, _lastFinished);
        if (last is null)
        {
            return now - _attachedAt <= StartGrace ? null : $"the {PipelineJob.JobName} job has not run in the {Age(now - _attachedAt)} since the scheduler started";
        }

        if (now - last.Value <= SilenceLimit)
        {
            return null;
        }

        // A run planned later than the next minute has the same allowance, counted from when it is due.
        var lateBy = SilenceLimit - TimeSpan.FromMinutes(1);
        return _nextExpected is { } expected && expected > last.Value + TimeSpan.FromMinutes(1)
            ? now - expected <= lateBy ? null : $"the {PipelineJob.JobName} job last ran {Age(now - last.Value)} ago, expected again {Age(now - expected)} ago"
            : $"the {PipelineJob.JobName} job last ran {Age(now - last.Value)} ago, expected every minute";
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a > b || b is null ? a : b;

    private static string Age(TimeSpan age) => HeartbeatVerdict.FormatAge(age);
}
