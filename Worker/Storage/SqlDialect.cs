using System.Data.Common;
using Dapper;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// Where SQLite's and PostgreSQL's SQL differ, stated once and chosen by <see cref="Database.Provider"/>; everything
/// else the stores write (<c>INSERT … ON CONFLICT</c>, <c>RETURNING</c>, <c>COALESCE</c>, <c>CASE</c>) both accept as it is.
/// Times need nothing here: pass <see cref="DateTimeOffset"/> parameters and <see cref="UtcTimeHandlers"/> makes
/// them ISO text for SQLite and UTC timestamptz for PostgreSQL, which compare and sort the same way.
/// </summary>
internal abstract class SqlDialect
{
    public static SqlDialect Sqlite { get; } = new SqliteDialect();

    public static SqlDialect Postgres { get; } = new PostgresDialect();

    public static SqlDialect For(StorageProvider provider) => provider == StorageProvider.Postgres ? Postgres : Sqlite;

    /// <summary>
    /// A <see cref="SqlList"/> parameter of strings as a one-column table named <c>value</c>:
    /// <c>WHERE id IN ({TextList("@Ids")})</c>. One statement text and one parameter whatever the list's length.
    /// </summary>
    public abstract string TextList(string parameter);

    /// <summary>As <see cref="TextList"/>, for a list of whole numbers (bigint ids).</summary>
    public abstract string IdList(string parameter);

    /// <summary>
    /// Appended to a SELECT of rows a transaction will change, so a second writer waits for it instead of deciding on
    /// what it read before the first committed. PostgreSQL's read committed needs the row lock; SQLite's
    /// BEGIN IMMEDIATE already holds the whole database's write lock, so there it is nothing.
    /// </summary>
    public abstract string ForUpdate { get; }

    /// <summary>
    /// Appended to a work-queue SELECT: on PostgreSQL the row is locked and rows another node has locked are passed
    /// over, so two nodes claiming at once take different rows; SQLite's write lock already lets one claim at a time.
    /// </summary>
    public abstract string SkipLocked(string alias);

    /// <summary>
    /// A statement that locks the rows of <paramref name="table"/> matching <paramref name="where"/> until the
    /// transaction ends, so statements after it see what a concurrent writer of those rows committed; none on SQLite.
    /// </summary>
    public abstract string LockRows(string table, string where);

    /// <summary>
    /// A statement that makes the transaction wait for any other holding the same @LockKey (a lock on a value, not a
    /// row: the row it protects may not exist yet), released at commit or rollback; none on SQLite. Run it with
    /// <see cref="RunAsync"/> before the statements it guards.
    /// </summary>
    public abstract string LockKey { get; }

    /// <summary>An instant column as the UTC text SQLite stores ("2026-11-19T11:00:00.000Z"), for messages built in SQL.</summary>
    public abstract string UtcText(string column);

    /// <summary>Runs a statement of a dialect that may be empty on one provider (a lock SQLite does not need).</summary>
    public static async Task RunAsync(DbConnection connection, DbTransaction transaction, string sql, object? parameters, CancellationToken cancellationToken)
    {
        if (sql.Length > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
        }
    }

    private sealed class SqliteDialect : SqlDialect
    {
        public override string ForUpdate => "";

        public override string LockKey => "";

        public override string SkipLocked(string alias) => "";

        public override string LockRows(string table, string where) => "";

        public override string UtcText(string column) => column;

        public override string TextList(string parameter) => $"SELECT value FROM json_each({parameter})";

        public override string IdList(string parameter) => $"SELECT value FROM json_each({parameter})";
    }

    private sealed class PostgresDialect : SqlDialect
    {
        // The two-key advisory locks are a key space apart from the migrator's one-key lock; this names the stores'.
        private const int KeyLockClass = 0x6B727873; // "krxs"

        public override string ForUpdate => " FOR UPDATE";

        public override string LockKey => $"SELECT pg_advisory_xact_lock({KeyLockClass}, hashtext(@LockKey));";

        public override string SkipLocked(string alias) => $"FOR UPDATE OF {alias} SKIP LOCKED";

        public override string LockRows(string table, string where) => $"SELECT 1 FROM {table} WHERE {where} FOR UPDATE;";

        public override string UtcText(string column) => $"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

        // jsonb_array_elements_text's column is named value too, so the surrounding SQL reads the same.
        public override string TextList(string parameter) => $"SELECT value FROM jsonb_array_elements_text(CAST({parameter} AS jsonb))";

        public override string IdList(string parameter) => $"SELECT CAST(value AS bigint) AS value FROM jsonb_array_elements_text(CAST({parameter} AS jsonb))";
    }
}
