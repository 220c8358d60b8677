namespace KrxSignal.Worker.Predictions;

/// <summary>The outcomes of a model's last calls (skipped calls are not calls), for its failure rate.</summary>
public sealed class RecentCalls(int capacity)
{
    public const int Window = 20;

    /// <summary>At or above this failure rate the heartbeat is degraded and names the model.</summary>
    public const double DegradedRate = 0.2;

    /// <summary>Fewer calls than this say too little to call a model failing.</summary>
    public const int MinimumCalls = 5;

    private readonly Queue<bool> _failed = new(capacity);
    private readonly Lock _lock = new();

    public void Add(bool failed)
    {
        lock (_lock)
        {
            if (_failed.Count == capacity)
            {
                _failed.Dequeue();
            }

            _failed.Enqueue(failed);
        }
    }

    public (int Calls, double FailureRate) Snapshot()
    {
        lock (_lock)
        {
            var calls = _failed.Count;
            return (calls, calls == 0 ? 0 : (double)_failed.Count(f => f) / calls);
        }
    }

    public bool IsDegraded
    {
        get
        {
            var (calls, rate) = Snapshot();
            return calls >= MinimumCalls && rate >= DegradedRate;
        }
    }
}
