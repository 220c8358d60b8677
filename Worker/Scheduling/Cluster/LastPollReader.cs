using Dapper;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Scheduling.Cluster;

/// <summary>Which node ran the latest poll, from job_runs.node (written by <see cref="JobRunRecorder"/>).</summary>
internal sealed class LastPollReader(Database database)
{
    public async Task<LastPoll?> ReadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<LastPoll>(new CommandDefinition(
            "SELECT node AS Node, started_at AS StartedAt FROM job_runs WHERE job = @job ORDER BY id DESC LIMIT 1",
            new { job = Pipeline.PipelineRunner.PollStage },
            cancellationToken: cancellationToken));
    }
}

internal sealed record LastPoll(string? Node, DateTimeOffset StartedAt);
