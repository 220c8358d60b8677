using Dapper;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// One job_runs row per attempted execution: 'running' when it starts, then ok, partial, failed or cancelled with
/// the items and the error. When the database refuses the start (locked, read-only, full), the run is not attempted
/// and its failed row is written once the database takes writes again; the job's streak of failures goes to the
/// heartbeat at once (<see cref="JobHealthBoard"/>). Rows older than 30 days are pruned about once a day.
/// </summary>
internal sealed partial class JobRunRecorder(Database database, TimeProvider time, ILogger<JobRunRecorder> logger, JobHealthBoard? health = null)
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromDays(1);

    /// <summary>Unwritten rows kept for later; beyond this the oldest are dropped (the heartbeat still counts them).</summary>
    private const int MaxUnrecorded = 200;

    private readonly Lock _gate = new();
    private readonly Queue<UnrecordedRun> _unrecorded = new();
    private long _lastPruneTicks = long.MinValue;

    public JobHealthBoard Health { get; } = health ?? new JobHealthBoard();

    /// <summary>Runs <paramref name="work"/> between the two writes. Never throws except on a cancellation it records.</summary>
    public async Task<JobOutcome> RunAsync(string job, DateTimeOffset fireTime, Func<CancellationToken, Task<JobOutcome>> work, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        await TryFlushUnrecordedAsync(cancellationToken);
        long id;
        try
        {
            id = await StartAsync(job, fireTime, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var refused = Fail(job, e, "its start could not be recorded, so it did not run");
            Keep(new UnrecordedRun(job, fireTime, startedAt, time.GetUtcNow(), refused.StatusText, refused.Error));
            return refused;
        }

        JobOutcome outcome;
        var counted = false;
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
            outcome = Fail(job, e, null);
            counted = true;
        }

        // The token may be cancelled already; the final row is a local write that must still happen.
        try
        {
            await FinishAsync(id, outcome, CancellationToken.None);
            await PruneIfDueAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var error = DatabaseFaults.Describe(e, database.Location);
            Log.FinishNotRecorded(logger, job, error);
            Keep(new UnrecordedRun(job, fireTime, startedAt, time.GetUtcNow(), outcome.StatusText, outcome.Error, id));
            Health.Failed(job, DatabaseFaults.Classify(e), error, time.GetUtcNow());
            return outcome;
        }

        if (outcome.Fault is null)
        {
            Health.Succeeded(job, time.GetUtcNow());
        }
        else if (!counted)
        {
            Health.Failed(job, outcome.Fault, outcome.Error ?? outcome.Fault, time.GetUtcNow());
        }

        return outcome;
    }

    public async Task<long> StartAsync(string job, DateTimeOffset fireTime, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO job_runs (job, fire_time, started_at, status, pid) VALUES (@job, @fireTime, @startedAt, 'running', @pid) RETURNING id",
            new { job, fireTime, startedAt = time.GetUtcNow(), pid = Environment.ProcessId },
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
    public async Task<IReadOnlyList<Health.JobRunHealth>> LastRunsAsync(CancellationToken cancellationToken)
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
        return rows.Select(r => new Health.JobRunHealth(r.Job, r.StartedAt, r.FinishedAt, r.Status, (int)r.Items, r.Error)).ToList();
    }

    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM job_runs WHERE started_at < @cutoff",
            new { cutoff = time.GetUtcNow() - Retention },
            cancellationToken: cancellationToken));
    }

    /// <param name="what">What the failure meant for the run, when more than the error itself (a refused start).</param>
    private JobOutcome Fail(string job, Exception e, string? what)
    {
        var fault = DatabaseFaults.Classify(e);
        var error = DatabaseFaults.Describe(e, database.Location);
        Health.Failed(job, fault, error, time.GetUtcNow());
        if (what is not null)
        {
            Log.JobFailed(logger, job, what, error);
        }

        return new JobOutcome(JobRunStatus.Failed, 0, what is null ? error : $"{what}: {error}") { Fault = fault };
    }

    private void Keep(UnrecordedRun run)
    {
        lock (_gate)
        {
            _unrecorded.Enqueue(run);
            while (_unrecorded.Count > MaxUnrecorded)
            {
                _unrecorded.Dequeue();
            }
        }
    }

    /// <summary>Writes the runs the database refused earlier, oldest first, before the next run's own row.</summary>
    private async Task TryFlushUnrecordedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushUnrecordedAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Still refused: they stay queued, and the run's own start will say why.
        }
    }

    private async Task FlushUnrecordedAsync(CancellationToken cancellationToken)
    {
        UnrecordedRun[] pending;
        lock (_gate)
        {
            if (_unrecorded.Count == 0)
            {
                return;
            }

            pending = [.. _unrecorded];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var run in pending)
        {
            var sql = run.Id is null
                ? "INSERT INTO job_runs (job, fire_time, started_at, finished_at, status, error, pid) VALUES (@Job, @FireTime, @StartedAt, @FinishedAt, @Status, @Error, @Pid)"
                : "UPDATE job_runs SET finished_at = @FinishedAt, status = @Status, error = @Error WHERE id = @Id";
            await connection.ExecuteAsync(new CommandDefinition(sql, run with { Pid = Environment.ProcessId }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        lock (_gate)
        {
            for (var i = 0; i < pending.Length && _unrecorded.Count > 0; i++)
            {
                _unrecorded.Dequeue();
            }
        }

        Log.LateRecorded(logger, pending.Length);
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

    /// <param name="Id">The row whose start was recorded but whose end was not; null when even the start was refused.</param>
    private sealed record UnrecordedRun(string Job, DateTimeOffset FireTime, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string Status, string? Error, long? Id = null)
    {
        public int Pid { get; init; }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Job {Job} failed unexpectedly")]
        public static partial void JobCrashed(ILogger logger, string job, Exception exception);

        [LoggerMessage(Level = LogLevel.Error, Message = "Job {Job}: {What}: {Error}")]
        public static partial void JobFailed(ILogger logger, string job, string what, string error);

        [LoggerMessage(Level = LogLevel.Error, Message = "Job {Job}: how the run ended could not be recorded ({Error}); it is written when the database takes writes again")]
        public static partial void FinishNotRecorded(ILogger logger, string job, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "Recorded {Count} job runs that the database had refused earlier")]
        public static partial void LateRecorded(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Pruned {Count} job_runs rows older than 30 days")]
        public static partial void Pruned(ILogger logger, int count);
    }
}
