namespace KrxSignal.Worker.Replay;

/// <summary>
/// Counts live HTTP requests (a network model, a real delivery) during a replay: while one is out,
/// the virtual clock must not jump, or its timeout would fire at once instead of after real time.
/// </summary>
internal sealed class InFlightGate
{
    private int _inFlight;

    public bool Idle => Volatile.Read(ref _inFlight) == 0;

    public DelegatingHandler CreateHandler() => new Handler(this);

    private sealed class Handler(InFlightGate gate) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref gate._inFlight);
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref gate._inFlight);
            }
        }
    }
}
