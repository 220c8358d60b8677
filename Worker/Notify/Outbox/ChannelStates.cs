using Dapper;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>The notify_channels table: channels disabled by a 410, blocked by 401/403/404, or held by a 429. Shared by every process on the file.</summary>
internal sealed class ChannelStates(Database connections)
{
    public async Task<IReadOnlyList<ChannelState>> AllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ChannelState>(new CommandDefinition(
            "SELECT channel AS Channel, state AS State, reason AS Reason, target AS Target, since AS Since, retry_at AS RetryAt FROM notify_channels ORDER BY channel",
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task<ChannelState?> GetAsync(string channel, CancellationToken cancellationToken) =>
        (await AllAsync(cancellationToken)).FirstOrDefault(s => s.Channel == channel);

    /// <summary>Records a state; <c>since</c> is kept while the state stays the same, so it says how long it has lasted.</summary>
    public async Task SetAsync(string channel, string state, string? reason, string target, DateTimeOffset now, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO notify_channels (channel, state, reason, target, since, retry_at) VALUES (@Channel, @State, @Reason, @Target, @Now, @RetryAt)
            ON CONFLICT (channel) DO UPDATE SET
                since = CASE WHEN notify_channels.state = excluded.state THEN notify_channels.since ELSE excluded.since END,
                state = excluded.state, reason = excluded.reason, target = excluded.target, retry_at = excluded.retry_at
            """, new { Channel = channel, State = state, Reason = reason, Target = target, Now = now, RetryAt = retryAt }, cancellationToken: cancellationToken));
    }

    /// <summary>Back to normal: the row goes, so an active channel has no row.</summary>
    /// <returns>Whether the channel had a state.</returns>
    public async Task<bool> ClearAsync(string channel, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM notify_channels WHERE channel = @Channel", new { Channel = channel }, cancellationToken: cancellationToken)) > 0;
    }
}
