using System.Diagnostics;
using Dapper;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// When the daemon starts, runs still 'running' whose process is gone (killed, or the machine lost power) are closed
/// as 'abandoned', so neither `sqlite3` nor the heartbeat shows a run that will never end. A run whose pid is alive
/// is left alone: another process on the same database may still be in it.
/// </summary>
internal sealed partial class AbandonedRunSweeper(Database database, TimeProvider time, ILogger<AbandonedRunSweeper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var running = await connection.QueryAsync<RunningRow>(new CommandDefinition(
            "SELECT id AS Id, job AS Job, pid AS Pid FROM job_runs WHERE status = 'running'", cancellationToken: cancellationToken));
        var dead = running.Where(r => r.Pid is not { } pid || !IsAlive((int)pid)).ToList();
        if (dead.Count == 0)
        {
            return;
        }

        var closed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE job_runs SET status = 'abandoned', finished_at = @now,
                error = 'abandoned: the process running it (pid ' || COALESCE(CAST(pid AS text), 'unknown') || ') ended without finishing it'
            WHERE id = @Id AND status = 'running'
            """,
            dead.Select(r => new { r.Id, now = time.GetUtcNow() }),
            cancellationToken: cancellationToken));
        Log.Abandoned(logger, closed, string.Join(", ", dead.Select(r => r.Job).Distinct()));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return false; // a previous process had this pid; this one has run nothing yet
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private sealed record RunningRow(long Id, string Job, long? Pid);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Closed {Count} job runs left 'running' by a process that ended without finishing them ({Jobs}) as 'abandoned'")]
        public static partial void Abandoned(ILogger logger, int count, string jobs);
    }
}
