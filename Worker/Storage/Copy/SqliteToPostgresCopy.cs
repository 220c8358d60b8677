using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace KrxSignal.Worker.Storage.Copy;

/// <summary>What one table's copy did: rows read from SQLite, rows new in PostgreSQL (the rest were there already).</summary>
internal sealed record TableCopied(string Table, long Read, long Inserted);

/// <summary>
/// Copies every table of an SQLite database into a PostgreSQL one at the same schema version, keeping ids, so a user
/// who moves up keeps their history. Idempotent: each row goes in with ON CONFLICT DO NOTHING, so a rerun (or a run
/// after an interrupted one) adds only what is missing and never changes a row PostgreSQL already has. The SQLite side
/// is read in one transaction: a consistent snapshot even while a daemon still writes to the file.
/// </summary>
internal sealed class SqliteToPostgresCopy(SqliteDatabase source, PostgresDatabase target)
{
    private const int BatchSize = 500;

    /// <summary>Parents before children, for the foreign keys; every table of the schema is here (checked before copying).</summary>
    public static readonly IReadOnlyList<string> TableOrder =
    [
        "news_articles", "predictions", "model_usage", "model_settings", "signals", "signal_dedup", "snapshots",
        "job_runs", "notifications", "deliveries", "notify_channels",
    ];

    public async Task<IReadOnlyList<TableCopied>> RunAsync(Action<TableCopied>? onTable, CancellationToken cancellationToken)
    {
        await using var from = (SqliteConnection)await source.OpenAsync(cancellationToken);
        // Deferred: a read transaction that takes no write lock, so a running daemon is not held up.
        await using var snapshot = from.BeginTransaction(deferred: true);
        var tables = (await from.QueryAsync<string>(new CommandDefinition(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;", transaction: snapshot, cancellationToken: cancellationToken))).ToList();
        if (tables.Except(TableOrder).ToList() is { Count: > 0 } unknown)
        {
            throw new InvalidOperationException($"The copy does not know the table(s) {string.Join(", ", unknown)}: this is a bug in this release.");
        }

        await using var to = (NpgsqlConnection)await target.OpenAsync(cancellationToken);
        var results = new List<TableCopied>();
        foreach (var table in TableOrder.Where(tables.Contains))
        {
            var copied = await CopyTableAsync(from, snapshot, to, table, cancellationToken);
            results.Add(copied);
            onTable?.Invoke(copied);
        }

        await snapshot.RollbackAsync(cancellationToken);
        return results;
    }

    private static async Task<TableCopied> CopyTableAsync(SqliteConnection from, DbTransaction snapshot, NpgsqlConnection to, string table, CancellationToken cancellationToken)
    {
        var columns = (await to.QueryAsync<TargetColumn>(new CommandDefinition(
            """
            SELECT column_name AS Name, data_type AS Type, is_identity = 'YES' AS IsIdentity
            FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table ORDER BY ordinal_position;
            """,
            new { table },
            cancellationToken: cancellationToken))).ToList();
        var list = string.Join(", ", columns.Select(c => c.Name));
        var insert = $"INSERT INTO {table} ({list}) VALUES ({string.Join(", ", columns.Select((_, i) => $"${i + 1}"))}) ON CONFLICT DO NOTHING;";

        await using var read = from.CreateCommand();
        read.Transaction = (SqliteTransaction)snapshot;
        read.CommandText = $"SELECT {list} FROM {table} ORDER BY rowid;";
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);

        long rows = 0, inserted = 0;
        await using var transaction = await to.BeginTransactionAsync(cancellationToken);
        var batch = new NpgsqlBatch(to, transaction);
        while (await reader.ReadAsync(cancellationToken))
        {
            var command = new NpgsqlBatchCommand(insert);
            for (var i = 0; i < columns.Count; i++)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = Convert(reader.GetValue(i), columns[i].Type) });
            }

            batch.BatchCommands.Add(command);
            rows++;
            if (batch.BatchCommands.Count == BatchSize)
            {
                inserted += await FlushAsync(batch, cancellationToken);
                batch = new NpgsqlBatch(to, transaction);
            }
        }

        inserted += await FlushAsync(batch, cancellationToken);

        // Ids came from SQLite: move each identity past them, or the daemon's next insert would collide.
        foreach (var identity in columns.Where(c => c.IsIdentity))
        {
            await to.ExecuteAsync(new CommandDefinition(
                $"SELECT setval(pg_get_serial_sequence('{table}', '{identity.Name}'), GREATEST((SELECT MAX({identity.Name}) FROM {table}), 1));",
                transaction: transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return new TableCopied(table, rows, inserted);
    }

    private static async Task<long> FlushAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        await using (batch)
        {
            if (batch.BatchCommands.Count == 0)
            {
                return 0;
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
            long rows = 0;
            foreach (NpgsqlBatchCommand command in batch.BatchCommands)
            {
                rows += (long)command.Rows;
            }

            return rows;
        }
    }

    /// <summary>SQLite's storage classes into the PostgreSQL column's type: times are ISO text there, timestamptz here.</summary>
    private static object Convert(object value, string type) => value switch
    {
        DBNull => DBNull.Value,
        string text when type == "timestamp with time zone" => UtcTimeHandlers.Parse(text),
        long number when type == "double precision" => (double)number,
        long number when type == "text" => number.ToString(CultureInfo.InvariantCulture),
        _ => value,
    };

    private sealed record TargetColumn(string Name, string Type, bool IsIdentity);
}
