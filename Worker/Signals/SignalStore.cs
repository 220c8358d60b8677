using Dapper;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Signals;

/// <summary>Reads the votes and writes signals; the dedup check and the insert share one write transaction.</summary>
public sealed class SignalStore(SqliteConnectionFactory connections)
{
    private const string VotesSql = """
        SELECT a.ticker AS Ticker, p.model_id AS ModelId, p.direction AS Direction, p.impact AS Impact, p.confidence AS Confidence
        FROM predictions p
        JOIN news_articles a ON a.id = p.article_id
        WHERE p.status = 'ok'
          AND a.ticker IS NOT NULL
          AND p.direction IS NOT NULL AND p.impact IS NOT NULL AND p.confidence IS NOT NULL
          AND p.updated_at >= @Since AND p.updated_at <= @Now
        ORDER BY a.ticker, p.id
        """;

    /// <summary>ok predictions whose result was stored (updated_at) inside [since, now].</summary>
    public async Task<IReadOnlyList<PredictionVote>> LoadVotesAsync(DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<PredictionVote>(new CommandDefinition(
            VotesSql, new { Since = UtcTimeHandlers.ToText(since), Now = UtcTimeHandlers.ToText(now) }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Inserts the signal unless the same (ticker, action) was signalled within <paramref name="window"/>.
    /// BeginTransaction is BEGIN IMMEDIATE: the write lock is taken before the dedup row is read, so two
    /// runs (threads, processes, a run after a restart) cannot both see "no recent signal".
    /// </summary>
    /// <returns>The new signal's id, or the previous signal's time when this one is a repeat.</returns>
    public async Task<(long? SignalId, DateTimeOffset? SuppressedBy)> TryCreateAsync(
        SignalCandidate candidate, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var lastSent = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT last_sent FROM signal_dedup WHERE ticker = @Ticker AND action = @Action",
            new { candidate.Ticker, candidate.Action }, transaction, cancellationToken: cancellationToken));
        if (lastSent is not null)
        {
            var previous = UtcTimeHandlers.Parse(lastSent);
            if (previous > now - window)
            {
                await transaction.RollbackAsync(cancellationToken);
                return (null, previous);
            }
        }

        var created = UtcTimeHandlers.ToText(now);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO signals (ticker, action, score, confidence, reason, created_at, status)
            VALUES (@Ticker, @Action, @Score, @Confidence, @Reason, @Created, 'pending')
            RETURNING id;
            """,
            new { candidate.Ticker, candidate.Action, candidate.Score, candidate.Confidence, candidate.Reason, Created = created },
            transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO signal_dedup (ticker, action, last_sent, confidence) VALUES (@Ticker, @Action, @Created, @Confidence)
            ON CONFLICT (ticker, action) DO UPDATE SET last_sent = excluded.last_sent, confidence = excluded.confidence;
            """,
            new { candidate.Ticker, candidate.Action, Created = created, candidate.Confidence }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (id, null);
    }
}
