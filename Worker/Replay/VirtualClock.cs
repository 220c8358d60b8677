namespace KrxSignal.Worker.Replay;

/// <summary>
/// The clock a replay runs on: time stands still until the driver moves it, and timers fire only
/// when time reaches them. Retry delays, Retry-After waits and attempt timeouts therefore take no
/// wall time, yet happen in the same order, and read the same instants, as they would live.
/// </summary>
internal sealed class VirtualClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private DateTimeOffset _now = start;
    private long _sequence;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>When the earliest armed timer is due, or null when none is armed.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count == 0 ? null : _timers.Min(t => t.Due);
            }
        }
    }

    /// <summary>How many timers are armed (for the replay's phase report: a count that only grows is a leak).</summary>
    public int TimerCount
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward to <paramref name="instant"/>, firing every timer due on the way, earliest first.</summary>
    public void AdvanceTo(DateTimeOffset instant)
    {
        while (true)
        {
            VirtualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due <= instant).OrderBy(t => t.Due).ThenBy(t => t.Sequence).FirstOrDefault();
                if (next is null)
                {
                    if (instant > _now)
                    {
                        _now = instant;
                    }

                    return;
                }

                if (next.Due > _now)
                {
                    _now = next.Due;
                }

                _timers.Remove(next);
                next.Rearm(_now);
            }

            next.Fire();
        }
    }

    /// <summary>Moves time to the earliest armed timer and fires it; false when no timer is armed.</summary>
    public bool AdvanceToNextTimer()
    {
        var due = NextDue;
        if (due is null)
        {
            return false;
        }

        AdvanceTo(due.Value);
        return true;
    }

    private void Schedule(VirtualTimer timer, TimeSpan dueTime)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            timer.Due = _now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
            timer.Sequence = ++_sequence;
            _timers.Add(timer);
        }
    }

    private void Cancel(VirtualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class VirtualTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset Due { get; set; }

        public long Sequence { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            clock.Schedule(this, dueTime);
            return true;
        }

        /// <summary>Called under the clock's lock when the timer fires: a periodic timer goes back in the queue.</summary>
        public void Rearm(DateTimeOffset now)
        {
            if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
            {
                Due = now + _period;
                Sequence = ++clock._sequence;
                clock._timers.Add(this);
            }
        }

        public void Fire() => callback(state);

        public void Dispose() => clock.Cancel(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
