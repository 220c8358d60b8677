using KrxSignal.Worker.Cli;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Cli;

public sealed class ClusterStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 19, 1, 30, 0, TimeSpan.Zero);

    private static HeartbeatDocument Heartbeat(ClusterHealth? cluster) => new()
    {
        Status = HealthStatus.Healthy,
        Reasons = [],
        Pid = 4242,
        Version = "0.1.0",
        StartedAt = Now.AddHours(-2),
        WrittenAt = Now.AddSeconds(-3),
        IntervalSeconds = 15,
        Cluster = cluster,
    };

    private static readonly ClusterHealth TwoNodes = new(
        "node-a",
        "node-a#1f2e3d4c",
        [
            new ClusterNodeHealth("node-a", "node-a#1f2e3d4c", Now.AddSeconds(-2), 7.5, "alive", Current: true),
            new ClusterNodeHealth("node-b", "node-b#99aa88bb", Now.AddSeconds(-12), 7.5, "overdue", Current: false),
        ],
        "node-b",
        Now.AddSeconds(-60));

    [Fact]
    public void Render_TwoNodes_NamesThisNodeTheLastPollerAndEachCheckIn()
    {
        using var output = new StringWriter();

        StatusTable.Render(StatusTable.CreateConsole(output, isTerminal: false), HeartbeatVerdict.Judge(Heartbeat(TwoNodes), Now), Now);

        var text = output.ToString();
        text.Should().Contain("cluster: this node is node-a (node-a#1f2e3d4c), last poll by node-b at 2026-11-19 10:29:00 KST")
            .And.Contain("node-a (this)").And.Contain("node-b#99aa88bb").And.Contain("overdue").And.Contain("12s ago").And.Contain("7.5s");
    }

    [Fact]
    public void Render_OneMachineOnSqlite_NoClusterLines()
    {
        using var output = new StringWriter();

        StatusTable.Render(StatusTable.CreateConsole(output, isTerminal: false), HeartbeatVerdict.Judge(Heartbeat(null), Now), Now);

        output.ToString().Should().NotContain("cluster");
    }

    [Fact]
    public async Task HeartbeatFile_ClusterSection_RoundTrips()
    {
        using var folder = new TempFolder();
        var path = folder.File("heartbeat.json");

        await HeartbeatFile.WriteAsync(path, Heartbeat(TwoNodes), CancellationToken.None);
        var read = await HeartbeatFile.ReadAsync(path, CancellationToken.None);

        read!.Cluster!.Node.Should().Be("node-a");
        read.Cluster.LastPollNode.Should().Be("node-b");
        read.Cluster.Nodes.Should().BeEquivalentTo(TwoNodes.Nodes);
        (await File.ReadAllTextAsync(path)).Should().Contain("\"lastCheckIn\"");
    }
}
