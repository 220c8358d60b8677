using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Hosting;

/// <summary>
/// The real binary as systemd runs it: notifications on a fake NOTIFY_SOCKET, watchdog pings, and the exits
/// the service manager acts on. The heartbeat is wedged honestly, by making its writes fail (its folder is
/// replaced by a file), so the writer stops landing heartbeats exactly as a stalled loop would.
/// </summary>
public sealed class ServiceManagerProcessTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly WorkerInstall _install = WorkerInstall.Shared;
    private readonly TempFolder _state = new();

    public void Dispose() => _state.Dispose();

    [LinuxFact("listens on a Unix datagram socket as systemd's NOTIFY_SOCKET")]
    public async Task Run_UnderNotifySocket_SendsReadyThenWatchdogPingsThenStopping()
    {
        using var notify = new FakeNotifySocket(_state.File("notify.sock"));
        await using var worker = WorkerProcess.Start(_install.Path, ["run"], Environment(notify, watchdogSeconds: 2));

        var untilReady = await notify.WaitForAsync("READY=1", StartTimeout);
        await notify.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(10));
        await notify.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(10));
        worker.Terminate();
        var untilStopping = await notify.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(10));
        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromSeconds(10));

        untilReady.Should().OnlyContain(m => m == "READY=1" || m == "WATCHDOG=1");
        untilStopping.Should().OnlyContain(m => m == "STOPPING=1" || m == "WATCHDOG=1");
        exitCode.Should().Be(0);
        worker.StandardOutput.Should().Contain("systemd watchdog on: timeout 2s, pinging every 1s while alive: heartbeat, scheduler");
    }

    [LinuxFact("listens on a Unix datagram socket as systemd's NOTIFY_SOCKET")]
    public async Task Run_UnderNotifySocket_ReadyOnceThoughEveryHostedServiceStartsAfterIt()
    {
        using var notify = new FakeNotifySocket(_state.File("notify.sock"));
        await using var worker = WorkerProcess.Start(_install.Path, ["run"], Environment(notify, watchdogSeconds: null));

        await notify.WaitForAsync("READY=1", StartTimeout);
        await worker.WaitForOutputAsync("market-window triggers from the calendar", TimeSpan.FromSeconds(15));
        await worker.WaitForOutputAsync("KRX Signal Worker", TimeSpan.FromSeconds(15));
        worker.Terminate();
        var afterReady = await notify.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(10));
        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromSeconds(10));

        afterReady.Should().NotContain("READY=1", "the start-up sends READY once; the host's own readiness after every hosted service is dropped");
        exitCode.Should().Be(0);
    }

    [LinuxFact("listens on a Unix datagram socket as systemd's NOTIFY_SOCKET")]
    public async Task Run_TerminatedRightAfterReady_StopsCleanly()
    {
        // READY comes before the scheduler and the heartbeat start, so a stop can arrive while they still are.
        using var notify = new FakeNotifySocket(_state.File("notify.sock"));
        await using var worker = WorkerProcess.Start(_install.Path, ["run"], Environment(notify, watchdogSeconds: null));

        await notify.WaitForAsync("READY=1", StartTimeout);
        worker.Terminate();
        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromSeconds(15));

        exitCode.Should().Be(0, worker.StandardOutput);
    }

    [LinuxTheory("listens on a Unix datagram socket as systemd's NOTIFY_SOCKET")]
    [InlineData("option")]
    [InlineData("calendar")]
    public async Task Run_StartRefused_ExitsSeventyEightWithoutReady(string what)
    {
        using var notify = new FakeNotifySocket(_state.File("notify.sock"));
        var environment = Environment(notify, watchdogSeconds: null);
        if (what == "option")
        {
            environment["Heartbeat__Interval"] = "00:00:00";
        }
        else
        {
            await File.WriteAllTextAsync(_state.File("holidays.json"), "{ \"years\": { \"2026\": { \"closed\": [ { \"date\": \"2026-13-01\" } ] } } }");
            environment["Calendar__HolidaysFile"] = _state.File("holidays.json");
        }

        var (exitCode, _, stderr) = await WorkerProcess.RunAsync(_install.Path, ["run"], environment);
        var sent = notify.Drain();
        if (await notify.NextAsync(TimeSpan.FromMilliseconds(200)) is { } late)
        {
            sent.Add(late); // a datagram still on its way when the process exited
        }

        exitCode.Should().Be(78, stderr);
        sent.Should().NotContain("READY=1", "a start that is refused must fail before systemd is told it is ready");
    }

    [LinuxFact("listens on a Unix datagram socket as systemd's NOTIFY_SOCKET")]
    public async Task Run_HeartbeatWedged_WatchdogPingsStop()
    {
        using var notify = new FakeNotifySocket(_state.File("notify.sock"));
        await using var worker = WorkerProcess.Start(_install.Path, ["run"], Environment(notify, watchdogSeconds: 2));
        await notify.WaitForAsync("READY=1", StartTimeout);
        await notify.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(10));

        Directory.Delete(_state.File("heartbeat"), recursive: true);
        await File.WriteAllTextAsync(_state.File("heartbeat"), "not a folder");
        await worker.WaitForOutputAsync("heartbeat is wedged", TimeSpan.FromSeconds(15));
        notify.Drain();
        var afterWedge = await notify.NextAsync(TimeSpan.FromSeconds(3));

        afterWedge.Should().BeNull("no WATCHDOG=1 may follow once the heartbeat has stalled (three ping periods waited)");
        worker.StandardOutput.Should().Contain("no longer telling systemd the Worker is alive");
    }

    [Fact]
    public async Task Run_WedgedWithoutSystemdWatchdog_ExitsSeventyForTheServiceManager()
    {
        // The heartbeat can never be written: its folder is a file from the start.
        await File.WriteAllTextAsync(_state.File("heartbeat"), "not a folder");
        var environment = Environment(notify: null, watchdogSeconds: null);
        environment["Watchdog__CheckInterval"] = "00:00:01";
        environment["Watchdog__SelfRestartAfter"] = "00:00:02";

        var (exitCode, stdout, _) = await WorkerProcess.RunAsync(_install.Path, ["run"], environment);

        exitCode.Should().Be(70);
        stdout.Should().Contain("heartbeat is wedged").And.Contain("Fatal: LivenessWatchdog failed: heartbeat has been wedged");
    }

    private Dictionary<string, string?> Environment(FakeNotifySocket? notify, int? watchdogSeconds)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Heartbeat__Path"] = _state.File("heartbeat/heartbeat.json"),
            ["Heartbeat__Interval"] = "00:00:01",
            ["Storage__DatabasePath"] = _state.File("worker.db"),
            ["Logs__Directory"] = _state.File("logs"),
        };
        if (notify is not null)
        {
            environment["NOTIFY_SOCKET"] = notify.Path;
        }

        if (watchdogSeconds is { } seconds)
        {
            environment["WATCHDOG_USEC"] = (seconds * 1_000_000L).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return environment;
    }
}
