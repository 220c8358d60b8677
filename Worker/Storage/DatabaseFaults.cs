using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// Names the class of a local failure in words an operator acts on: a lock held by another process, a read-only
/// file, a full disk, a server that cannot be reached — not an exception type. The heartbeat, job_runs and `doctor` say it the same way.
/// </summary>
internal static class DatabaseFaults
{
    private const int Busy = 5;
    private const int Locked = 6;
    private const int ReadOnly = 8;
    private const int IoError = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CannotOpen = 14;
    private const int NotADatabase = 26;

    /// <summary>"database locked by another process", "database read-only", "disk full", or the exception's type.</summary>
    public static string Classify(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: Busy or Locked } => "database locked by another process",
        SqliteException { SqliteErrorCode: ReadOnly } => "database read-only",
        SqliteException { SqliteErrorCode: Full } => "disk full",
        SqliteException { SqliteErrorCode: IoError } => "database I/O error",
        SqliteException { SqliteErrorCode: CannotOpen } => "database cannot be opened",
        SqliteException { SqliteErrorCode: Corrupt or NotADatabase } => "database corrupt",
        PostgresException { SqlState: "53100" } => "disk full",
        PostgresException { SqlState: "25006" } => "database read-only",
        PostgresException { SqlState: "55P03" or "40P01" } => "database locked by another process",
        PostgresException { SqlState: "28P01" or "28000" } => "database login refused",
        PostgresException { SqlState: "3D000" } => "database does not exist",
        PostgresException { SqlState: ['5', '7', 'P', _, _] } => "database server shutting down",
        PostgresException { SqlState: ['5', '3', _, _, _] } => "database server out of resources",
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException } => "database server unreachable",
        IOException { HResult: 28 or unchecked((int)0x80070070) } => "disk full",
        UnauthorizedAccessException => "access denied",
        _ => exception.GetType().Name,
    };

    /// <summary>True when the fault is the database's: the heartbeat then names the file or server.</summary>
    public static bool IsDatabase(Exception exception) => exception is DbException;

    /// <summary>"database locked by another process (/var/lib/krx/worker.db): database is locked".</summary>
    public static string Describe(Exception exception, string databasePath)
    {
        var what = Classify(exception);
        var message = exception.Message.ReplaceLineEndings(" ").TrimEnd('.');
        return IsDatabase(exception) ? $"{what} ({databasePath}): {message}" : $"{what}: {message}";
    }
}
