using System.Data.Common;
using Dapper;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// Where SQLite and PostgreSQL SQL truly differ, stated once and chosen by <see cref="Database.Provider"/>; everything
/// else the stores write is SQL both accept (ON CONFLICT, RETURNING, COALESCE, CASE). SQLite's BEGIN IMMEDIATE
/// serialises every writer, so the locks below are PostgreSQL's alone: under read committed a read-then-write needs one.
/// </summary>
internal static class SqlDialect
{
    // ---------------------------------------------------------------------------------------------------------------
    // Signals and the outbox: lists, row locks and claims, and time as text.
    // ---------------------------------------------------------------------------------------------------------------

    // The two-key advisory locks are a key space apart from the migrator's one-key lock; this class names the stores'.
    private const int KeyLockClass = 0x6B727873; // "krxs"

    /// <summary>A subquery over a text list parameter (<see cref="SqlList.Of(IEnumerable{string})"/>), one row per value, column <c>value</c>.</summary>
    public static string TextList(StorageProvider provider, string parameter) => provider == StorageProvider.Postgres
        ? $"SELECT value FROM json_array_elements_text(CAST({parameter} AS json)) AS value"
        : $"SELECT value FROM json_each({parameter})";

    /// <summary>A subquery over an id list parameter (<see cref="SqlList.Of(IEnumerable{long})"/>), column <c>value</c> as bigint.</summary>
    public static string IdList(StorageProvider provider, string parameter) => provider == StorageProvider.Postgres
        ? $"SELECT CAST(value AS bigint) AS value FROM json_array_elements_text(CAST({parameter} AS json)) AS value"
        : $"SELECT value FROM json_each({parameter})";

    /// <summary>
    /// Appended to a work-queue SELECT: on PostgreSQL the row is locked and rows another node has locked are passed
    /// over, so two nodes claiming at once take different rows; SQLite's write lock already lets one claim at a time.
    /// </summary>
    public static string SkipLocked(StorageProvider provider, string alias) => provider == StorageProvider.Postgres
        ? $"FOR UPDATE OF {alias} SKIP LOCKED"
        : "";

    /// <summary>
    /// A statement that locks the rows of <paramref name="table"/> matching <paramref name="where"/> until the
    /// transaction ends, so statements after it see what a concurrent writer of those rows committed; none on SQLite.
    /// </summary>
    public static string LockRows(StorageProvider provider, string table, string where) => provider == StorageProvider.Postgres
        ? $"SELECT 1 FROM {table} WHERE {where} FOR UPDATE;"
        : "";

    /// <summary>
    /// A statement that makes the transaction wait for any other holding the same @LockKey (a lock on a value, not a
    /// row: the row it protects may not exist yet), released at commit or rollback; none on SQLite. Run it with
    /// <see cref="RunAsync"/> before the statements it guards.
    /// </summary>
    public static string LockKey(StorageProvider provider) => provider == StorageProvider.Postgres
        ? $"SELECT pg_advisory_xact_lock({KeyLockClass}, hashtext(@LockKey));"
        : "";

    /// <summary>Runs a statement of this dialect that may be empty on one provider (a lock SQLite does not need).</summary>
    public static async Task RunAsync(DbConnection connection, DbTransaction transaction, string sql, object? parameters, CancellationToken cancellationToken)
    {
        if (sql.Length > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
        }
    }

    /// <summary>An instant column as the UTC text SQLite stores ("2026-11-19T11:00:00.000Z"), for messages built in SQL.</summary>
    public static string UtcText(StorageProvider provider, string column) => provider == StorageProvider.Postgres
        ? $"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        : column;
}
