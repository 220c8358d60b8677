using System.Net;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using KrxSignal.Worker.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace KrxSignal.Worker.StockApi;

/// <summary>
/// One endpoint: its fresh cache, its own resilience pipeline, its stale fallback, the snapshot row of each fetch
/// (the poll stage records a cycle's rows together) and its line in the heartbeat. Never throws for anything the upstream does; only cancellation escapes.
/// </summary>
internal sealed partial class EndpointFetcher<T>(
    string endpoint,
    Func<IStockApi, CancellationToken, Task<HttpResponseMessage>> call,
    JsonTypeInfo<T> type,
    Func<CacheTtlOptions, TimeSpan> ttl,
    StockApiResilience resilience,
    EndpointHealthBoard board,
    IOptions<StockApiOptions> options,
    TimeProvider time,
    ILogger logger)
    where T : class
{
    /// <summary>Error bodies are kept for replay, but a long one says nothing more than its first 64 KB.</summary>
    private const int MaxRecordedErrorBody = 64 * 1024;

    private readonly ResiliencePipeline<UpstreamAnswer> _pipeline = resilience.Build(endpoint);
    private volatile Fetched<T>? _lastGood;

    public string Endpoint => endpoint;

    /// <summary>The pipeline every attempt of this endpoint runs through (the wiring test reads its composition).</summary>
    internal ResiliencePipeline<UpstreamAnswer> Pipeline => _pipeline;

    public async Task<EndpointFetch<T>> FetchAsync(IStockApi api, StageContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var lastGood = _lastGood;
        if (!context.ForceFresh && lastGood is not null && lastGood.AgeAt(now) < ttl(settings.CacheTtl))
        {
            return new EndpointFetch<T>(new EndpointOutcome(endpoint, EndpointOutcomeKind.Cached, TimeSpan.Zero), lastGood);
        }

        var started = time.GetTimestamp();
        var (answer, transportProblem) = await SendAsync(api, context, cancellationToken);
        var latency = time.GetElapsedTime(started);
        var finishedAt = time.GetUtcNow();

        T? value = null;
        var problem = transportProblem;
        if (answer is not null)
        {
            var skipped = new List<string>();
            (value, problem) = answer.IsSuccess ? UpstreamPayload.Read(answer, type, skipped) : (null, DescribeRefusal(answer.Status));
            foreach (var item in skipped)
            {
                Log.ItemSkipped(logger, endpoint, item);
            }
        }

        if (value is not null)
        {
            var fetched = new Fetched<T>(value, finishedAt);
            _lastGood = fetched;
            var before = board[endpoint];
            board.Update(endpoint, _ => EndpointStatus.Initial with { LastSuccess = finishedAt });
            if (before.ConsecutiveFailures > 0)
            {
                Log.Recovered(logger, endpoint, before.ConsecutiveFailures);
            }

            var snapshot = new SnapshotRow(endpoint, finishedAt, answer!.StatusCode, (long)latency.TotalMilliseconds, Encoding.UTF8.GetString(answer.Body), null, false);
            return new EndpointFetch<T>(new EndpointOutcome(endpoint, EndpointOutcomeKind.Fresh, latency), fetched, snapshot);
        }

        return Fail(problem ?? "no answer", answer, latency, finishedAt);
    }

    private EndpointFetch<T> Fail(string problem, UpstreamAnswer? answer, TimeSpan latency, DateTimeOffset at)
    {
        var lastGood = _lastGood;
        var stale = lastGood is not null && lastGood.IsUsableAt(at, options.Value.MaxStaleAge) ? lastGood : null;
        var keyRejected = answer?.Status == HttpStatusCode.Unauthorized;
        var previous = board[endpoint];
        board.Update(endpoint, s => s with
        {
            ConsecutiveFailures = s.ConsecutiveFailures + 1,
            LastError = problem,
            KeyRejected = keyRejected,
            StaleDataFetchedAt = stale?.FetchedAt,
            Missing = stale is null,
        });

        // A rejected key is loud every time: nothing works until the operator fixes it. Other outages warn once.
        if (keyRejected)
        {
            Log.KeyRejected(logger, endpoint);
        }
        else if (previous.ConsecutiveFailures == 0)
        {
            if (stale is not null)
            {
                Log.ServingStale(logger, endpoint, problem, stale.FetchedAt, stale.AgeAt(at).TotalSeconds);
            }
            else
            {
                Log.NoData(logger, endpoint, problem);
            }
        }
        else if (stale is null && previous is { Missing: false })
        {
            Log.StaleExpired(logger, endpoint, options.Value.MaxStaleAge.TotalMinutes);
        }

        var outcome = stale is null
            ? new EndpointOutcome(endpoint, EndpointOutcomeKind.Failed, latency, problem)
            : new EndpointOutcome(endpoint, EndpointOutcomeKind.Stale, latency, problem, stale.AgeAt(at));
        return new EndpointFetch<T>(outcome, stale, new SnapshotRow(endpoint, at, answer?.StatusCode, (long)latency.TotalMilliseconds, RecordedBody(answer), problem, stale is not null));
    }

    private async Task<(UpstreamAnswer? Answer, string? Problem)> SendAsync(IStockApi api, StageContext stage, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StockApiResilience.NextPollAt, stage.NextPollAt);
        try
        {
            var answer = await _pipeline.ExecuteAsync(
                static (ctx, state) => new ValueTask<UpstreamAnswer>(UpstreamAnswer.FetchAsync(ct => state.call(state.api, ct), ctx.CancellationToken)),
                context,
                (call, api));
            return (answer, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Timeouts, resets, refused connections, an open circuit: all the same to the cycle, a failed endpoint.
            return (null, StockApiResilience.Describe(Outcome.FromException<UpstreamAnswer>(e)));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static string? RecordedBody(UpstreamAnswer? answer)
    {
        if (answer is null || answer.TooLarge || answer.Body.Length == 0)
        {
            return null;
        }

        var length = answer.IsSuccess ? answer.Body.Length : Math.Min(answer.Body.Length, MaxRecordedErrorBody);
        return Encoding.UTF8.GetString(answer.Body, 0, length);
    }

    private static string DescribeRefusal(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => "HTTP 401, upstream rejected the key",
        HttpStatusCode.ServiceUnavailable => "HTTP 503, upstream has no key configured",
        HttpStatusCode.TooManyRequests => "HTTP 429, rate limited",
        _ => $"HTTP {(int)status}",
    };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Stock API {Endpoint}: upstream rejected the key (HTTP 401). Check StockApi__ApiKey; not retrying")]
        public static partial void KeyRejected(ILogger logger, string endpoint);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Stock API {Endpoint} failing ({Problem}); serving the value fetched at {FetchedAt:u} ({AgeSeconds:0} s old) until it recovers")]
        public static partial void ServingStale(ILogger logger, string endpoint, string problem, DateTimeOffset fetchedAt, double ageSeconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Stock API {Endpoint} failing ({Problem}) and no earlier value to fall back on")]
        public static partial void NoData(ILogger logger, string endpoint, string problem);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Stock API {Endpoint}: the last good value is older than {MaxStaleMinutes:0} min and is now treated as missing")]
        public static partial void StaleExpired(ILogger logger, string endpoint, double maxStaleMinutes);

        [LoggerMessage(Level = LogLevel.Information, Message = "Stock API {Endpoint} recovered after {Failures} failed fetches")]
        public static partial void Recovered(ILogger logger, string endpoint, int failures);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Stock API {Endpoint}: {Item}; the rest of the answer is used")]
        public static partial void ItemSkipped(ILogger logger, string endpoint, string item);
    }
}
