using System.Globalization;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Health;
using Spectre.Console;

namespace KrxSignal.Worker.Cli;

/// <summary>`Worker status`'s cluster lines: which node this is, who ran the last poll, and every node's check-in.</summary>
internal static class ClusterStatus
{
    public static void Render(IAnsiConsole console, ClusterHealth? cluster, DateTimeOffset now)
    {
        if (cluster is null)
        {
            return;
        }

        var lastPoll = cluster.LastPollNode is { } node
            ? $", last poll by {node}{(cluster.LastPollAt is { } at ? $" at {At(at)} KST" : "")}"
            : cluster.LastPollAt is not null ? ", last poll by a node that did not record its name" : "";
        console.WriteLine($"cluster: this node is {cluster.Node} ({cluster.Instance}){lastPoll}");
        if (cluster.Nodes.Count == 0)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in (string[])["node", "instance", "state", "last check-in", "interval"])
        {
            table.AddColumn(new TableColumn(new Text(column)));
        }

        foreach (var n in cluster.Nodes)
        {
            table.AddRow(
                new Text(n.Current ? $"{n.Node} (this)" : n.Node),
                new Text(n.Instance),
                new Text(n.State),
                new Text(n.LastCheckIn is { } seen ? $"{HeartbeatVerdict.FormatAge(now > seen ? now - seen : TimeSpan.Zero)} ago" : "never"),
                new Text(n.IntervalSeconds is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s:0.#}s") : ""));
        }

        console.Write(table);
    }

    private static string At(DateTimeOffset time) => time.ToKst().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
