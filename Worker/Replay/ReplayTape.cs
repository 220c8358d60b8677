namespace KrxSignal.Worker.Replay;

/// <summary>
/// The recorded exchanges of each endpoint, handed out in order within the poll cycle being replayed.
/// A request consumes the next recording of its cycle (first attempt, then retries, as they were
/// recorded). With none left in the cycle, a failure served in this cycle is served again (an outage
/// lasts through the retries, also when the recording kept only a fetch's final result); when nothing
/// was recorded in the cycle at all, for example because the replayed configuration polls more often
/// than the recorded one, the newest earlier success is served again.
/// </summary>
internal sealed class ReplayTape
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<ReplayRecord>> _pending;
    private readonly Dictionary<string, ReplayRecord> _lastSuccess = [];
    private readonly Dictionary<string, ReplayRecord> _servedThisCycle = [];
    private DateTimeOffset _cycleStart = DateTimeOffset.MinValue;
    private DateTimeOffset _cycleEnd = DateTimeOffset.MaxValue;

    public ReplayTape(IEnumerable<ReplayRecord> records)
    {
        _pending = [];
        Add(records);
    }

    /// <summary>Appends later recordings (the next day of a multi-day file); what an earlier day left unserved stays queued before them.</summary>
    public void Add(IEnumerable<ReplayRecord> records)
    {
        lock (_gate)
        {
            foreach (var record in records.OrderBy(r => r.Time))
            {
                if (!_pending.TryGetValue(record.Endpoint, out var queue))
                {
                    _pending[record.Endpoint] = queue = new Queue<ReplayRecord>();
                }

                queue.Enqueue(record);
            }
        }
    }

    public int Served { get; private set; }

    public int Reused { get; private set; }

    public int Missing { get; private set; }

    /// <summary>The cycle about to run: recordings from <paramref name="start"/> up to (not including) <paramref name="end"/>.</summary>
    public void BeginCycle(DateTimeOffset start, DateTimeOffset end)
    {
        lock (_gate)
        {
            _cycleStart = start;
            _cycleEnd = end;
            _servedThisCycle.Clear();
        }
    }

    /// <returns>The recording to answer with, or null when the endpoint was never recorded successfully by then.</returns>
    public ReplayRecord? Next(string endpoint)
    {
        lock (_gate)
        {
            if (_pending.TryGetValue(endpoint, out var queue))
            {
                // Recordings of earlier cycles that this replay did not ask for (retries it did not need) are passed over.
                while (queue.TryPeek(out var stale) && stale.Time < _cycleStart)
                {
                    Remember(queue.Dequeue());
                }

                if (queue.TryPeek(out var next) && next.Time < _cycleEnd)
                {
                    Served++;
                    return _servedThisCycle[endpoint] = Remember(queue.Dequeue());
                }
            }

            if (_servedThisCycle.TryGetValue(endpoint, out var failure) && failure.Status != 200)
            {
                Reused++;
                return failure;
            }

            if (_lastSuccess.TryGetValue(endpoint, out var previous))
            {
                Reused++;
                return previous;
            }

            Missing++;
            return null;
        }
    }

    private ReplayRecord Remember(ReplayRecord record)
    {
        if (record.Status == 200)
        {
            _lastSuccess[record.Endpoint] = record;
        }

        return record;
    }
}
