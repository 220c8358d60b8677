using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace KrxSignal.Worker.StockApi;

/// <summary>
/// Builds one resilience pipeline per endpoint (retry → circuit breaker → attempt timeout), every value set
/// explicitly rather than inherited from a standard handler, and every delay on the injected TimeProvider.
/// </summary>
internal sealed partial class StockApiResilience(IOptions<StockApiOptions> options, TimeProvider time, RetryJitter jitter, ILogger<StockApiResilience> logger)
{
    /// <summary>When the next poll is due: no wait (back-off or Retry-After) may run past it.</summary>
    public static readonly ResiliencePropertyKey<DateTimeOffset?> NextPollAt = new("krx.next-poll-at");

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    public ResiliencePipeline<UpstreamAnswer> Build(string endpoint)
    {
        var settings = options.Value;
        var builder = new ResiliencePipelineBuilder<UpstreamAnswer> { TimeProvider = time, Name = $"stock-api/{endpoint}" };
        var circuit = new CircuitBreakerStateProvider();
        if (settings.MaxRetries > 0)
        {
            // The screener is a POST, retried only because mode "preview" stores nothing upstream: the call is idempotent.
            builder.AddRetry(new RetryStrategyOptions<UpstreamAnswer>
            {
                MaxRetryAttempts = settings.MaxRetries,
                // A failed half-open probe reopens the circuit: waiting a second only to be refused would be pointless.
                ShouldHandle = args => ValueTask.FromResult(
                    circuit.CircuitState is not (CircuitState.Open or CircuitState.Isolated) && NextDelay(args.Outcome, args.AttemptNumber, args.Context) is not null),
                DelayGenerator = args => ValueTask.FromResult(NextDelay(args.Outcome, args.AttemptNumber, args.Context)),
                OnRetry = args =>
                {
                    var reason = Describe(args.Outcome);
                    Log.Retrying(logger, endpoint, args.AttemptNumber + 1, reason, args.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<UpstreamAnswer>
        {
            // Sized for a few calls a minute: one cycle of failed attempts (1 + 3 retries) opens it; the default
            // (100 calls in 30 s) would never trip at our rate.
            FailureRatio = 0.75,
            MinimumThroughput = Math.Clamp(settings.MaxRetries + 1, 2, 4),
            SamplingDuration = TimeSpan.FromMinutes(2),
            BreakDuration = settings.CircuitBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsOutage(args.Outcome)),
            StateProvider = circuit,
            OnOpened = args =>
            {
                Log.CircuitOpened(logger, endpoint, args.BreakDuration.TotalSeconds, Describe(args.Outcome));
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                Log.CircuitClosed(logger, endpoint);
                return ValueTask.CompletedTask;
            },
        });

        builder.AddTimeout(settings.AttemptTimeout);
        return builder.Build();
    }

    /// <summary>Worth trying again: the upstream may answer next time (timeouts, resets, 408, 429, 5xx but 503).</summary>
    public static bool IsTransient(Outcome<UpstreamAnswer> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException or IOException } => true,
        { Exception: null, Result: { } answer } => answer.Status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            || (answer.StatusCode >= 500 && answer.Status != HttpStatusCode.ServiceUnavailable),
        _ => false,
    };

    /// <summary>What counts against the circuit: the upstream is unreachable or broken (a 429 is alive, only busy).</summary>
    public static bool IsOutage(Outcome<UpstreamAnswer> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException or IOException } => true,
        { Exception: null, Result: { } answer } => answer.Status is HttpStatusCode.RequestTimeout || answer.StatusCode >= 500,
        _ => false,
    };

    public static string Describe(Outcome<UpstreamAnswer> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException } => "timed out",
        { Exception: BrokenCircuitException } => "circuit open",
        { Exception: HttpRequestException e } => $"connection failed ({e.HttpRequestError})",
        { Exception: IOException } => "connection reset",
        { Exception: Http.CrossOriginRedirectException e } => e.Message,
        { Exception: { } e } => e.GetType().Name,
        { Result: { } answer } => $"HTTP {answer.StatusCode}",
        _ => "no answer",
    };

    /// <summary>The wait before the next attempt, or null when there should be none.</summary>
    private TimeSpan? NextDelay(Outcome<UpstreamAnswer> outcome, int attemptNumber, ResilienceContext context)
    {
        if (!IsTransient(outcome))
        {
            return null;
        }

        var delay = outcome.Result is { Status: HttpStatusCode.TooManyRequests, RetryAfter: { } retryAfter }
            ? Http.RetryAfter.Read(retryAfter, time.GetUtcNow(), options.Value.MaxRetryAfter)!.Value
            : jitter.Apply(FirstRetryDelay * Math.Pow(2, attemptNumber));

        // Waiting past the next poll slot would only collide with that poll; it will try again anyway.
        var nextPoll = context.Properties.GetValue(NextPollAt, null);
        return nextPoll is { } due && time.GetUtcNow() + delay > due ? null : delay;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Stock API {Endpoint}: attempt {Attempt} failed ({Reason}); retrying in {DelaySeconds:0.###} s")]
        public static partial void Retrying(ILogger logger, string endpoint, int attempt, string reason, double delaySeconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Stock API {Endpoint}: circuit opened for {BreakSeconds:0} s after {Reason}; the next cycle sends a single probe")]
        public static partial void CircuitOpened(ILogger logger, string endpoint, double breakSeconds, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Stock API {Endpoint}: circuit closed, the upstream answers again")]
        public static partial void CircuitClosed(ILogger logger, string endpoint);
    }
}
