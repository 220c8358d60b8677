using Dapper;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// One job_runs row per execution: 'running' when it starts, then ok, partial, failed or cancelled
/// with the items and the error. Rows older than 30 days are pruned about once a day.
/// </summary>
internal sealed partial class JobRunRecorder(SqliteConnectionFactory database, TimeProvider time, ILogger<JobRunRecorder> logger)
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromDays(1);

    private long _lastPruneTicks = long.MinValue;

    /// <summary>Runs <paramref name="work"/> between the two writes. Never throws except on a cancellation it records.</summary>
    public async Task<JobOutcome> RunAsync(string job, DateTimeOffset fireTime, Func<CancellationToken, Task<JobOutcome>> work, CancellationToken cancellationToken)
    {
        var id = await StartAsync(job, fireTime, cancellationToken);
        JobOutcome outcome;
        try
        {
            outcome = await work(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = new JobOutcome(JobRunStatus.Cancelled, 0, "cancelled: the Worker is stopping");
        }
        catch (Exception e)
        {
            Log.JobCrashed(logger, job, e);
            outcome = new JobOutcome(JobRunStatus.Failed, 0, $"{e.GetType().Name}: {e.Message}");
        }

        // The token may be cancelled already; the final row is a local write that must still happen.
        await FinishAsync(id, outcome, CancellationToken.None);
        await PruneIfDueAsync(CancellationToken.None);
        return outcome;
    }

    public async Task<long> StartAsync(string job, DateTimeOffset fireTime, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO job_runs (job, fire_time, started_at, status) VALUES (@job, @fireTime, @startedAt, 'running') RETURNING id",
            new { job, fireTime, startedAt = time.GetUtcNow() },
            cancellationToken: cancellationToken));
    }

    public async Task FinishAsync(long id, JobOutcome outcome, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE job_runs SET finished_at = @finishedAt, status = @status, items = @items, error = @error WHERE id = @id",
            new { id, finishedAt = time.GetUtcNow(), status = outcome.StatusText, items = outcome.Items, error = outcome.Error },
            cancellationToken: cancellationToken));
    }

    /// <summary>The latest run of each job, for the heartbeat.</summary>
    public async Task<IReadOnlyList<JobRunHealth>> LastRunsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<JobRunRow>(new CommandDefinition(
            """
            SELECT r.job AS Job, r.started_at AS StartedAt, r.finished_at AS FinishedAt, r.status AS Status, r.items AS Items, r.error AS Error
            FROM job_runs r
            WHERE r.id = (SELECT MAX(id) FROM job_runs WHERE job = r.job)
            ORDER BY r.job
            """,
            cancellationToken: cancellationToken));
        return rows.Select(r => new JobRunHealth(r.Job, r.StartedAt, r.FinishedAt, r.Status, (int)r.Items, r.Error)).ToList();
    }

    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM job_runs WHERE started_at < @cutoff",
            new { cutoff = time.GetUtcNow() - Retention },
            cancellationToken: cancellationToken));
    }

    private async Task PruneIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastPruneTicks);
        if (last != long.MinValue && now - last < PruneEvery.Ticks)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastPruneTicks, now, last) != last)
        {
            return; // another job is pruning
        }

        var deleted = await PruneAsync(cancellationToken);
        if (deleted > 0)
        {
            Log.Pruned(logger, deleted);
        }
    }

    private sealed record JobRunRow(string Job, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Status, long Items, string? Error);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Job {Job} failed unexpectedly")]
        public static partial void JobCrashed(ILogger logger, string job, Exception exception);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Pruned {Count} job_runs rows older than 30 days")]
        public static partial void Pruned(ILogger logger, int count);
    }
}
