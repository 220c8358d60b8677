using System.Net.Http;
using KrxSignal.Worker.Predictions.Models;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace KrxSignal.Worker.Predictions;

/// <summary>
/// Everything that isolates one configured model from the others: its concurrency slots, and its own
/// resilience pipeline (retry → circuit breaker → per-attempt timeout) named after the model id.
/// A slow or broken model therefore costs only its own slots and its own time.
/// </summary>
public sealed class ModelGuard : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly RecentCalls _recent = new(RecentCalls.Window);

    public ModelGuard(ModelOptions model, TimeProvider time)
    {
        Model = model;
        _slots = new SemaphoreSlim(model.MaxConcurrency, model.MaxConcurrency);
        var failures = new PredicateBuilder()
            .Handle<TimeoutRejectedException>()
            .Handle<HttpRequestException>()
            .Handle<ModelFailedException>();
        var builder = new ResiliencePipelineBuilder { Name = $"model-{model.Id}", TimeProvider = time };
        if (model.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = model.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromSeconds(1),
                UseJitter = true,
                ShouldHandle = new PredicateBuilder()
                    .Handle<TimeoutRejectedException>()
                    .Handle<HttpRequestException>()
                    .Handle<ModelFailedException>(e => e.Transient),

                // Retry-After is honoured as read (and clamped) by Http/RetryAfter in the model; otherwise the backoff applies.
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    args.Outcome.Exception is ModelFailedException { RetryAfter: { } wait } ? wait : null),
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            // Half of the calls of the last two minutes failing (at least six of them) stops calls for a minute.
            FailureRatio = 0.5,
            MinimumThroughput = 6,
            SamplingDuration = TimeSpan.FromMinutes(2),
            BreakDuration = TimeSpan.FromMinutes(1),
            ShouldHandle = failures,
            StateProvider = _circuit,
        });
        builder.AddTimeout(model.Timeout);
        Pipeline = builder.Build();
    }

    public ModelOptions Model { get; }

    public ResiliencePipeline Pipeline { get; }

    /// <summary>closed, open, half-open or isolated: the heartbeat's model circuit state.</summary>
    public string CircuitState => _circuit.CircuitState switch
    {
        Polly.CircuitBreaker.CircuitState.Open => "open",
        Polly.CircuitBreaker.CircuitState.HalfOpen => "half-open",
        Polly.CircuitBreaker.CircuitState.Isolated => "isolated",
        _ => "closed",
    };

    public RecentCalls Recent => _recent;

    /// <summary>Waits for one of the model's slots, then runs the call through its pipeline.</summary>
    public async Task<ModelAnswer> CallAsync(Func<CancellationToken, Task<ModelAnswer>> call, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await Pipeline.ExecuteAsync(static async (call, token) => await call(token), call, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
