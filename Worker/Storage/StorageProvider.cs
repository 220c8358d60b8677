namespace KrxSignal.Worker.Storage;

/// <summary>Where the Worker keeps its tables: one SQLite file on one machine, or a PostgreSQL database several nodes share.</summary>
public enum StorageProvider
{
    Sqlite,
    Postgres,
}
