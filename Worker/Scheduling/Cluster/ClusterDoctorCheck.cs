using System.Data.Common;
using System.Globalization;
using Dapper;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Scheduling.Cluster;

/// <summary>
/// `doctor` on PostgreSQL: the server answers, Quartz's schema is whole, and the clocks agree. Quartz decides that a
/// node is dead from check-in stamps each node writes with its own clock, so a node whose clock runs ahead looks alive
/// after it died and one whose clock lags looks dead while it works; both the database server's clock (a proxy for
/// NTP) and the other nodes' latest check-ins are compared with this node's, against Cluster:MaxClockSkew.
/// </summary>
internal sealed class ClusterDoctorCheck(Database database, IOptions<ClusterOptions> options, TimeProvider time) : IDoctorCheck
{
    public string Name => "cluster";

    public async Task<DoctorResult> RunAsync(CancellationToken cancellationToken)
    {
        DbConnection connection;
        try
        {
            connection = await database.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return DoctorResult.Fail(
                $"{database.Location} cannot be reached: {e.Message}",
                "Check Storage__ConnectionString (host, port, database, user, password) and that the server accepts this machine (pg_hba.conf)");
        }

        await using (connection)
        {
            var missing = await QuartzSchema.MissingTablesAsync(connection, null, cancellationToken);
            if (missing.Count > 0 && missing.Count < QuartzSchema.Tables.Count)
            {
                return DoctorResult.Fail(
                    $"{database.Location}: Quartz's schema is incomplete, missing {string.Join(", ", missing)}",
                    "Start one node: it creates the missing tables; if they were dropped by hand, restore them from a backup");
            }

            var schema = missing.Count == 0 ? $"Quartz schema complete ({QuartzSchema.Tables.Count} tables)" : "Quartz schema not created yet (the first node to start creates it)";
            var skew = await ServerSkewAsync(connection, cancellationToken);
            var limit = options.Value.MaxClockSkew;
            if (skew.Duration() > limit)
            {
                return DoctorResult.Fail(
                    string.Create(CultureInfo.InvariantCulture, $"{database.Location}: this machine's clock is {skew.TotalSeconds:+0.000;-0.000} s off the database server's (more than {limit.TotalSeconds:0.###} s)"),
                    "Synchronise the clocks of every node and the server (chrony or systemd-timesyncd; on Windows w32tm /resync)");
            }

            var nodes = missing.Count == 0 ? await NodesAsync(connection, cancellationToken) : [];
            var now = time.GetUtcNow();
            var ahead = nodes.Where(n => n.LastCheckIn - now > limit).ToList();
            if (ahead.Count > 0)
            {
                return DoctorResult.Fail(
                    string.Join("; ", ahead.Select(n => string.Create(CultureInfo.InvariantCulture, $"node {ClusterIdentity.NameOf(n.Instance)} checked in {(n.LastCheckIn - now).TotalSeconds:0.0} s in this node's future: its clock is ahead"))),
                    "Synchronise the clocks of every node (chrony or systemd-timesyncd; on Windows w32tm /resync)");
            }

            var detail = string.Create(CultureInfo.InvariantCulture, $"{database.Location}: {schema}, clock within {skew.Duration().TotalSeconds:0.000} s of the server's; nodes: {Describe(nodes, now)}");
            var silent = nodes.Where(n => now - n.LastCheckIn > n.Interval + options.Value.CheckinMisfireThreshold + limit).ToList();
            return silent.Count == 0
                ? DoctorResult.Pass(detail)
                : DoctorResult.Warning(
                    detail,
                    $"{string.Join(", ", silent.Select(n => ClusterIdentity.NameOf(n.Instance)))} stopped checking in: stopped, hung, or its clock is behind; the others take over its work");
        }
    }

    /// <summary>This machine's clock minus the server's, half a round trip allowed for; a rehearsal's shift is taken off.</summary>
    private async Task<TimeSpan> ServerSkewAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow();
        var server = await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition("SELECT clock_timestamp()", cancellationToken: cancellationToken));
        var after = time.GetUtcNow();
        var local = before + ((after - before) / 2) - (time is ShiftedTimeProvider shifted ? shifted.Shift : TimeSpan.Zero);
        return local - new DateTimeOffset(DateTime.SpecifyKind(server, DateTimeKind.Utc));
    }

    private static async Task<IReadOnlyList<NodeCheckIn>> NodesAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<CheckInRow>(new CommandDefinition(
            $"SELECT instance_name AS Instance, last_checkin_time AS Ticks, checkin_interval AS IntervalMs FROM {QuartzSchema.TablePrefix}scheduler_state WHERE sched_name = @name ORDER BY instance_name",
            new { name = QuartzSchema.SchedulerName },
            cancellationToken: cancellationToken));

        // Quartz stores instants as UTC ticks and intervals as milliseconds.
        return rows.Select(r => new NodeCheckIn(r.Instance, new DateTimeOffset(r.Ticks, TimeSpan.Zero), TimeSpan.FromMilliseconds(r.IntervalMs))).ToList();
    }

    private static string Describe(IReadOnlyList<NodeCheckIn> nodes, DateTimeOffset now) => nodes.Count == 0
        ? "none running"
        : string.Join(", ", nodes.Select(n => string.Create(CultureInfo.InvariantCulture, $"{ClusterIdentity.NameOf(n.Instance)} (checked in {(now - n.LastCheckIn).TotalSeconds:0.0} s ago)")));

    private sealed record CheckInRow(string Instance, long Ticks, long IntervalMs);

    private sealed record NodeCheckIn(string Instance, DateTimeOffset LastCheckIn, TimeSpan Interval);
}
