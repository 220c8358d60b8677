using System.Data.Common;
using System.Globalization;
using KrxSignal.Worker.Ingest;
using KrxSignal.Worker.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using KrxSignal.Worker.Calendar;

namespace KrxSignal.Worker.StockApi;

/// <summary>
/// The "poll" stage: the three endpoints at once (one failing neither delays nor fails the others), each value
/// published to <see cref="MarketData"/>, new articles ingested, old snapshots pruned, one Info line per cycle.
/// Ok when every endpoint has fresh or cached data, Failed when none has, Partial otherwise.
/// </summary>
internal sealed partial class PollStage(
    StockApiClientFactory clients,
    StockApiFetchers fetchers,
    MarketData market,
    ArticleIngest ingest,
    SnapshotStore snapshots,
    IOptions<StockApiOptions> options,
    TimeProvider time,
    ILogger<PollStage> logger) : IPipelineStage
{
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);

    private DateTimeOffset? _lastPrune;

    public string Name => PipelineRunner.PollStage;

    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        if (!options.Value.PollingEnabled)
        {
            return new StageResult(StageOutcome.Failed, 0, "StockApi:BaseUrl is not set; nothing to poll");
        }

        var started = time.GetTimestamp();
        var api = clients.Create();
        var portfolio = fetchers.Portfolio.FetchAsync(api, context, cancellationToken);
        var news = fetchers.NewsSentiment.FetchAsync(api, context, cancellationToken);
        var screener = fetchers.Screener.FetchAsync(api, context, cancellationToken);

        // Task.WhenAll rethrows only the first exception; the fetchers throw only on cancellation, and each is read on its own.
        await Task.WhenAll(portfolio, news, screener).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // The cycle's recordings in one write, kept even when a stop cuts the cycle short: replay needs what was fetched.
        await RecordAsync([Snapshot(portfolio), Snapshot(news), Snapshot(screener)], cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var portfolioFetch = await portfolio;
        var newsFetch = await news;
        var screenerFetch = await screener;

        Publish(portfolioFetch.Data, market.Publish);
        Publish(newsFetch.Data, market.Publish);
        Publish(screenerFetch.Data, market.Publish);

        var (newArticles, ingestProblem) = newsFetch.Outcome.Kind == EndpointOutcomeKind.Fresh
            ? await IngestAsync(newsFetch.Data!.Value.Articles, cancellationToken)
            : (0, null);
        await PruneIfDueAsync(cancellationToken);

        EndpointOutcome[] outcomes = [portfolioFetch.Outcome, newsFetch.Outcome, screenerFetch.Outcome];
        var next = context.NextPollAt is { } due ? due.ToKst().ToString("HH:mm", CultureInfo.InvariantCulture) + " KST" : "not scheduled";
        var line = $"{string.Join(", ", outcomes.Select(o => o.ToString()))}; {newArticles} new articles{(ingestProblem is null ? "" : $" (ingest failed: {ingestProblem})")}";
        var elapsedMs = time.GetElapsedTime(started).TotalMilliseconds;
        Log.Cycle(logger, context.Window ?? "unscheduled", line, elapsedMs, next);

        var withData = outcomes.Count(o => o.HasData);
        var allGood = outcomes.All(o => o.Kind is EndpointOutcomeKind.Fresh or EndpointOutcomeKind.Cached) && ingestProblem is null;
        var outcome = withData == 0 ? StageOutcome.Failed : allGood ? StageOutcome.Ok : StageOutcome.Partial;
        return new StageResult(outcome, newArticles, line);
    }

    private static void Publish<T>(Fetched<T>? data, Action<Fetched<T>> publish)
    {
        if (data is not null)
        {
            publish(data);
        }
    }

    private static SnapshotRow? Snapshot<T>(Task<EndpointFetch<T>> fetch) => fetch.IsCompletedSuccessfully ? fetch.Result.Snapshot : null;

    private async Task RecordAsync(SnapshotRow?[] rows, CancellationToken cancellationToken)
    {
        try
        {
            // A local write that must still happen when the cycle is being stopped.
            await snapshots.AddAsync(rows.OfType<SnapshotRow>().ToList(), cancellationToken.IsCancellationRequested ? CancellationToken.None : cancellationToken);
        }
        catch (DbException e)
        {
            // Losing one cycle's recording is better than losing the cycle's data.
            Log.RecordFailed(logger, e.Message);
        }
    }

    private async Task<(int Count, string? Problem)> IngestAsync(IReadOnlyList<Article> articles, CancellationToken cancellationToken)
    {
        try
        {
            return (await ingest.IngestAsync(articles, cancellationToken), null);
        }
        catch (DbException e)
        {
            // The articles come back in every later call of the day: the next cycle ingests them.
            Log.IngestFailed(logger, e.Message);
            return (0, e.Message);
        }
    }

    private async Task PruneIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_lastPrune is { } last && now - last < PruneInterval)
        {
            return;
        }

        _lastPrune = now;
        try
        {
            var deleted = await snapshots.PruneAsync(now - options.Value.SnapshotRetention, cancellationToken);
            if (deleted > 0)
            {
                Log.Pruned(logger, deleted, options.Value.SnapshotRetention.TotalDays);
            }
        }
        catch (DbException e)
        {
            Log.PruneFailed(logger, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Poll ({Window}): {Outcomes}; cycle {ElapsedMs:0} ms; next poll {NextPoll}")]
        public static partial void Cycle(ILogger logger, string window, string outcomes, double elapsedMs, string nextPoll);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Poll: could not record the snapshots: {Problem}")]
        public static partial void RecordFailed(ILogger logger, string problem);

        [LoggerMessage(Level = LogLevel.Error, Message = "Poll: storing new articles failed: {Problem}")]
        public static partial void IngestFailed(ILogger logger, string problem);

        [LoggerMessage(Level = LogLevel.Information, Message = "Poll: pruned {Count} snapshots older than {RetentionDays:0.#} days")]
        public static partial void Pruned(ILogger logger, int count, double retentionDays);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Poll: pruning old snapshots failed: {Problem}")]
        public static partial void PruneFailed(ILogger logger, string problem);
    }
}
