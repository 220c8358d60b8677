using System.Text.Json;
using Dapper;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Signals;

/// <summary>Reads the votes and writes signals; the dedup and reversal checks and the insert share one write transaction.</summary>
public sealed class SignalStore(Database connections)
{
    // Keyed on the article's arrival, not on when its prediction was stored: a model back from an outage answers
    // hours-old articles, and those answers must not fire signals on old news.
    private const string VotesSql = """
        SELECT a.ticker AS Ticker, p.article_id AS ArticleId, p.model_id AS ModelId, p.direction AS Direction, p.impact AS Impact,
               p.confidence AS Confidence, p.reasoning AS Reasoning, a.title AS Title, a.url AS Url, a.source AS Source,
               a.published_at AS PublishedAt, a.created_at AS ArrivedAt
        FROM predictions p
        JOIN news_articles a ON a.id = p.article_id
        WHERE p.status = 'ok'
          AND a.ticker IS NOT NULL
          AND p.direction IS NOT NULL AND p.impact IS NOT NULL AND p.confidence IS NOT NULL
          AND a.created_at >= @Since AND a.created_at <= @Now
          AND p.updated_at <= @Now
        ORDER BY a.ticker, a.created_at, p.article_id, p.model_id
        """;

    /// <summary>ok predictions on articles that arrived inside [since, now], with the articles they are about.</summary>
    public async Task<IReadOnlyList<VoteRow>> LoadVotesAsync(DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<VoteRow>(new CommandDefinition(VotesSql, new { Since = since, Now = now }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The name the last signal for <paramref name="ticker"/> carried: used when the upstream has not sent one today.</summary>
    public async Task<string?> LastKnownNameAsync(string ticker, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT name FROM signals WHERE ticker = @Ticker AND name IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT 1",
            new { Ticker = ticker }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Inserts the signal unless the same (ticker, action) was signalled within the dedup window, or unless it
    /// reverses an opposite signal of that window without reaching the reversal threshold. The dedup is one atomic
    /// statement: the upsert of signal_dedup takes the row only when its last signal is older than the window, so of
    /// two nodes saving at the same instant one gets the row and the other waits for its commit, then finds it taken.
    /// The ticker lock keeps the reversal check of a buy and a sell made at once in order (SQLite's BEGIN IMMEDIATE
    /// does both already); a weak reversal rolls the upsert back.
    /// </summary>
    public async Task<SignalWrite> TryCreateAsync(
        SignalCandidate candidate, SignalDetails details, DateTimeOffset now, SignalsOptions options, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var since = now - options.DedupWindow;
        await SqlDialect.RunAsync(connection, transaction, SqlDialect.For(connections.Provider).LockKey, new { LockKey = "signal:" + candidate.Ticker }, cancellationToken);
        var claimed = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            """
            INSERT INTO signal_dedup (ticker, action, last_sent, confidence) VALUES (@Ticker, @Action, @Created, @Confidence)
            ON CONFLICT (ticker, action) DO UPDATE SET last_sent = excluded.last_sent, confidence = excluded.confidence
            WHERE signal_dedup.last_sent <= @Since
            RETURNING 1;
            """,
            new { candidate.Ticker, candidate.Action, Created = now, candidate.Confidence, Since = since }, transaction, cancellationToken: cancellationToken));
        if (claimed is null)
        {
            var previous = await connection.ExecuteScalarAsync<DateTimeOffset>(new CommandDefinition(
                "SELECT last_sent FROM signal_dedup WHERE ticker = @Ticker AND action = @Action",
                new { candidate.Ticker, candidate.Action }, transaction, cancellationToken: cancellationToken));
            await transaction.RollbackAsync(cancellationToken);
            return SignalWrite.Repeat(previous);
        }

        var opposite = await connection.QuerySingleOrDefaultAsync<OppositeRow>(new CommandDefinition(
            """
            SELECT id AS SignalId, action AS Action, created_at AS CreatedAt FROM signals
            WHERE ticker = @Ticker AND action = @Opposite AND created_at > @Since
            ORDER BY created_at DESC, id DESC LIMIT 1
            """,
            new { candidate.Ticker, Opposite = SignalDecider.Opposite(candidate.Action), Since = since }, transaction, cancellationToken: cancellationToken));
        var reverses = opposite is null ? null : new ReversedSignal(opposite.SignalId, opposite.Action, opposite.CreatedAt);
        if (reverses is not null && candidate.Confidence < options.ReversalThreshold)
        {
            await transaction.RollbackAsync(cancellationToken);
            return SignalWrite.WeakReversal(reverses);
        }

        var stored = details with { Reverses = reverses };
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO signals (ticker, action, score, confidence, reason, created_at, status, name, reversal, reversal_of, details)
            VALUES (@Ticker, @Action, @Score, @Confidence, @Reason, @Created, 'pending', @Name, @Reversal, @ReversalOf, @Details)
            RETURNING id;
            """,
            new
            {
                candidate.Ticker,
                candidate.Action,
                candidate.Score,
                candidate.Confidence,
                candidate.Reason,
                Created = now,
                stored.Name,
                Reversal = reverses is null ? 0 : 1,
                ReversalOf = reverses?.SignalId,
                Details = JsonSerializer.Serialize(stored, SignalDetailsJson.Default.SignalDetails),
            },
            transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return SignalWrite.Created(id, reverses);
    }

    private sealed record OppositeRow(long SignalId, string Action, DateTimeOffset CreatedAt);
}

/// <summary>One vote as read for the consensus, with the article it is about.</summary>
public sealed record VoteRow(
    string Ticker, string ArticleId, string ModelId, string Direction, string Impact, double Confidence, string? Reasoning,
    string Title, string? Url, string? Source, DateTimeOffset PublishedAt, DateTimeOffset ArrivedAt)
{
    public PredictionVote ToVote() => new(Ticker, ModelId, Direction, Impact, Confidence, ArticleId, Reasoning);
}

/// <summary>What became of a candidate: created (perhaps as a reversal), a repeat inside the window, or a reversal too weak to make.</summary>
public sealed record SignalWrite(long? SignalId, DateTimeOffset? RepeatOf, ReversedSignal? Reverses, bool TooWeakToReverse)
{
    public static SignalWrite Created(long id, ReversedSignal? reverses) => new(id, null, reverses, false);

    public static SignalWrite Repeat(DateTimeOffset previous) => new(null, previous, null, false);

    public static SignalWrite WeakReversal(ReversedSignal reverses) => new(null, null, reverses, true);
}
