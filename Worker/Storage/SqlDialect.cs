namespace KrxSignal.Worker.Storage;

/// <summary>
/// Where SQLite's and PostgreSQL's SQL differ, stated once and chosen by <see cref="Database.Provider"/>; everything
/// else the stores write (<c>INSERT … ON CONFLICT</c>, <c>RETURNING</c>, <c>COALESCE</c>, <c>CASE</c>) both accept as it is.
/// Times need nothing here: pass <see cref="DateTimeOffset"/> parameters and <see cref="UtcTimeHandlers"/> makes
/// them ISO text for SQLite and UTC timestamptz for PostgreSQL, which compare and sort the same way.
/// </summary>
/// <remarks>
/// Partial, with partial providers: a feature with differences of its own adds them in its own section of this file
/// (an abstract member and its two overrides), so every difference still reads in one place.
/// </remarks>
internal abstract partial class SqlDialect
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

    private sealed partial class SqliteDialect : SqlDialect
    {
        public override string ForUpdate => "";

        public override string TextList(string parameter) => $"SELECT value FROM json_each({parameter})";

        public override string IdList(string parameter) => $"SELECT value FROM json_each({parameter})";
    }

    private sealed partial class PostgresDialect : SqlDialect
    {
        public override string ForUpdate => " FOR UPDATE";

        // jsonb_array_elements_text's column is named value too, so the surrounding SQL reads the same.
        public override string TextList(string parameter) => $"SELECT value FROM jsonb_array_elements_text(CAST({parameter} AS jsonb))";

        public override string IdList(string parameter) => $"SELECT CAST(value AS bigint) AS value FROM jsonb_array_elements_text(CAST({parameter} AS jsonb))";
    }
}
