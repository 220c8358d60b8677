using System.Data.Common;
using Dapper;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Scheduling.Cluster;

/// <summary>
/// Creates Quartz's tables (QuartzSchema.sql) when a node on PostgreSQL starts, before the scheduler is built, and
/// makes sure its lock rows exist. Nodes that start together queue on one advisory lock, so no two run the DDL at once
/// and none sees a half-made schema; the lock rows are inserted here, ON CONFLICT DO NOTHING, so Quartz's first
/// SELECT … FOR UPDATE always finds its row instead of two nodes racing to insert it.
/// </summary>
internal sealed partial class QuartzSchema(Database database, ClusterIdentity identity, ILogger<QuartzSchema> logger) : IHostedService
{
    public const string TablePrefix = "qrtz_";

    /// <summary>The Quartz scheduler name every node shares (SCHED_NAME): one cluster per database.</summary>
    public const string SchedulerName = "krx-signal-worker";

    /// <summary>The rows Quartz locks with SELECT … FOR UPDATE.</summary>
    public static readonly IReadOnlyList<string> LockNames = ["TRIGGER_ACCESS", "STATE_ACCESS"];

    public static readonly IReadOnlyList<string> Tables =
    [
        "job_details", "triggers", "simple_triggers", "cron_triggers", "simprop_triggers", "blob_triggers", "calendars",
        "paused_trigger_grps", "paused_job_grps", "fired_triggers", "scheduler_state", "locks", "execution_history",
        "misfire_history", "job_status",
    ];

    /// <summary>pg_advisory_xact_lock's key for this schema; the Worker's own migrations use another.</summary>
    private const long AdvisoryLockKey = 0x6B72_7851_7274_7A01;

    private static readonly Lazy<string> Ddl = new(() =>
    {
        using var stream = typeof(QuartzSchema).Assembly.GetManifestResourceStream($"{typeof(QuartzSchema).Namespace}.QuartzSchema.sql")
            ?? throw new InvalidOperationException("QuartzSchema.sql is not embedded in the Worker assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public Task StartAsync(CancellationToken cancellationToken) => ProvisionAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Idempotent: creates what is missing, and on a complete schema only checks it.</summary>
    /// <returns>The tables that were missing (and are now created).</returns>
    public async Task<IReadOnlyList<string>> ProvisionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = AdvisoryLockKey }, transaction, cancellationToken: cancellationToken));
        var missing = await MissingTablesAsync(connection, transaction, cancellationToken);
        if (missing.Count > 0)
        {
            // Only when something is missing: CREATE INDEX IF NOT EXISTS locks the table even when the index exists.
            await connection.ExecuteAsync(new CommandDefinition(Ddl.Value, transaction: transaction, cancellationToken: cancellationToken));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO {TablePrefix}locks (sched_name, lock_name) VALUES (@Scheduler, @Lock) ON CONFLICT DO NOTHING",
            LockNames.Select(name => new { Scheduler = SchedulerName, Lock = name }),
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);

        if (missing.Count > 0)
        {
            Log.Created(logger, TablePrefix, missing.Count, database.Location);
        }

        Log.Node(logger, identity.NodeName, identity.InstanceId, database.Location);
        return missing;
    }

    /// <summary>Quartz's tables that are not in the connection's current schema.</summary>
    public static async Task<IReadOnlyList<string>> MissingTablesAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var present = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE @pattern",
            new { pattern = TablePrefix.Replace("_", "\\_", StringComparison.Ordinal) + "%" },
            transaction,
            cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        return Tables.Select(t => TablePrefix + t).Where(t => !present.Contains(t)).ToList();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Created Quartz's job store schema ({Prefix}*, {Count} tables) in {Database}")]
        public static partial void Created(ILogger logger, string prefix, int count, string database);

        [LoggerMessage(Level = LogLevel.Information, Message = "Quartz cluster: this is node {Node} (instance {Instance}) on {Database}")]
        public static partial void Node(ILogger logger, string node, string instance, string database);
    }
}
