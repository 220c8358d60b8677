using System.Data.Common;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// The Worker's database, whichever provider holds it. Stores ask it for one open connection per operation
/// (connections are not thread-safe) and write SQL both providers accept; what differs is stated in one place.
/// </summary>
public abstract class Database
{
    static Database() => UtcTimeHandlers.Register();

    public abstract StorageProvider Provider { get; }

    /// <summary>Where the tables are, for log lines and messages: the file, or host, port and database — never a password.</summary>
    public abstract string Location { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);
}
