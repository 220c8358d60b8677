using Dapper;
using KrxSignal.Worker.Signals;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Replay;

/// <summary>Reads the replay database for the summary: running totals after each day, and the whole replay's counts at the end.</summary>
internal sealed class ReplaySummary(Database connections)
{
    public async Task<ReplayTotals> TotalsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.QuerySingleAsync<ReplayTotals>(new CommandDefinition(
            """
            SELECT (SELECT COUNT(*) FROM news_articles) AS Articles,
                   (SELECT COUNT(*) FROM predictions) AS Predictions,
                   (SELECT COUNT(*) FROM signals) AS Signals
            """,
            cancellationToken: cancellationToken));
    }

    public async Task<ReplayReport> ReportAsync(
        string database, IReadOnlyList<ReplayDayReport> days, IReadOnlyList<DateOnly> skipped, ReplayTape tape, bool deliver, TimeSpan wall, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        async Task<int> CountAsync(string sql) => await connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        async Task<Dictionary<string, IReadOnlyDictionary<string, int>>> GroupAsync(string sql) =>
            (await connection.QueryAsync<StatusCountRow>(new CommandDefinition(sql, cancellationToken: cancellationToken)))
            .GroupBy(r => r.Key)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, int>)g.ToDictionary(r => r.Status, r => (int)r.Count));
        static Dictionary<string, int> Sum(IEnumerable<IReadOnlyDictionary<string, int>> counts) =>
            counts.SelectMany(c => c).GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.Sum(c => c.Value));

        return new ReplayReport
        {
            Days = days,
            SkippedDays = skipped,
            DatabasePath = database,
            PollsPerWindow = Sum(days.Select(d => d.PollsPerWindow)),
            PipelineRuns = days.Sum(d => d.PipelineRuns),
            PollOutcomes = Sum(days.Select(d => d.PollOutcomes)),
            RecordingsServed = tape.Served,
            RecordingsReused = tape.Reused,
            RequestsUnrecorded = tape.Missing,
            UpstreamFailures = await CountAsync("SELECT COUNT(*) FROM snapshots WHERE error IS NOT NULL"),
            StaleServes = await CountAsync("SELECT COUNT(*) FROM snapshots WHERE served_stale = 1"),
            ArticlesIngested = await CountAsync("SELECT COUNT(*) FROM news_articles"),
            ArticlesWithTicker = await CountAsync("SELECT COUNT(*) FROM news_articles WHERE ticker IS NOT NULL"),
            Predictions = await GroupAsync("SELECT model_id AS Key, status AS Status, COUNT(*) AS Count FROM predictions GROUP BY model_id, status ORDER BY model_id"),
            Signals = (await connection.QueryAsync<ActionCountRow>(new CommandDefinition("SELECT action AS Action, COUNT(*) AS Count FROM signals GROUP BY action", cancellationToken: cancellationToken)))
                .ToDictionary(r => r.Action, r => (int)r.Count),
            DedupSuppressions = days.Sum(d => d.Suppressions),
            Deliveries = await GroupAsync("SELECT channel AS Key, status AS Status, COUNT(*) AS Count FROM deliveries GROUP BY channel, status ORDER BY channel"),
            RealDelivery = deliver,
            WallTime = wall,
            ConfidenceBands = await new SignalHistory(connections).BandsAsync(cancellationToken),
        };
    }

    private sealed record StatusCountRow(string Key, string Status, long Count);

    private sealed record ActionCountRow(string Action, long Count);
}

/// <summary>Rows in the replay database at one moment; the difference of two is what a day added.</summary>
internal sealed record ReplayTotals(long Articles, long Predictions, long Signals)
{
    public static ReplayTotals operator -(ReplayTotals after, ReplayTotals before) =>
        new(after.Articles - before.Articles, after.Predictions - before.Predictions, after.Signals - before.Signals);
}

/// <summary>One replayed day for the summary: what it ran, what it added to the database, and its wall time.</summary>
internal sealed record ReplayDayReport(DateOnly Day, IReadOnlyDictionary<string, int> PollsPerWindow, IReadOnlyDictionary<string, int> PollOutcomes, int PipelineRuns, int Suppressions, ReplayTotals Added, TimeSpan WallTime)
{
    public ReplayDayReport(ReplayDayTally tally, ReplayTotals added, TimeSpan wall)
        : this(tally.Day, tally.PollsPerWindow, tally.PollOutcomes, tally.PipelineRuns, tally.Suppressions, added, wall)
    {
    }

    public int Polls => PollsPerWindow.Values.Sum();
}
