using System.Diagnostics;
using System.Globalization;

namespace KrxSignal.Worker.Benchmarks;

/// <summary>
/// Start to systemd READY=1: the real Worker (`run`) and a bare generic host with UseSystemd, each started
/// several times, alternately, with NOTIFY_SOCKET pointed at a datagram socket this benchmark listens on.
/// Then the Worker's start-up timeline, from the timestamps of its own log lines (worker.log), READY and the
/// first heartbeat file, on a first start with an empty database.
/// </summary>
public static class StartupBenchmark
{
    // Eleven, not five: on this shared 2-core machine a single slow start moved a five-run median by 20-30 ms.
    private const int Runs = 11;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task RunAsync()
    {
        // A night clock with no upstream: nothing polls while the process starts and stops.
        var night = new Dictionary<string, string> { ["Clock__StartAt"] = "2026-11-24T23:00:00+09:00" };
        var timeline = await TimelineAsync(night);

        // Restarts find the database migrated: every timed Worker run starts from a copy of the first one's.
        var migrated = timeline.Database;
        var worker = new List<double>();
        var bare = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            worker.Add((await ToReadyAsync(WorkerBinary.Dll, ["run"], night, migrated)).Ready);
            bare.Add((await ToReadyAsync(WorkerBinary.BenchmarkDll, ["--bare-host"], null, null)).Ready);
        }

        var workerMedian = WorkerBinary.Median(worker);
        var bareMedian = WorkerBinary.Median(bare);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"start to READY=1, {Runs} runs each, alternating, migrated database"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  worker    median {workerMedian:0.000} s  ({WorkerBinary.List(worker, "0.000")})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  bare host median {bareMedian:0.000} s  ({WorkerBinary.List(bare, "0.000")})"));
        var ratio = workerMedian / bareMedian;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio worker/bare {ratio:0.00}  target <= 1.5  {(ratio <= 1.5 ? "PASS" : "FAIL")}"));

        Console.WriteLine("worker start-up timeline (first start, empty database; from worker.log timestamps, READY and the heartbeat file)");
        var previous = 0.0;
        foreach (var (phase, at) in timeline.Phases.OrderBy(p => p.At))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {at,6:0.000} s  +{at - previous:0.000}  {phase}"));
            previous = at;
        }

        WorkerBinary.Delete(Path.GetDirectoryName(migrated)!);
        StartupPhases.Print(await StartupPhases.MeasureAsync());
    }

    private static async Task<(List<(string Phase, double At)> Phases, string Database)> TimelineAsync(Dictionary<string, string> night)
    {
        var (ready, heartbeat, scratch, started) = await ToReadyAsync(WorkerBinary.Dll, ["run"], night, null, keepScratch: true);
        var phases = new List<(string, double)>();
        var log = Path.Combine(scratch, "logs", "worker.log");
        var lines = File.Exists(log) ? await File.ReadAllLinesAsync(log) : [];
        double? At(string contains, bool last = false)
        {
            var matches = lines.Where(l => l.Contains(contains, StringComparison.Ordinal) && l.Contains(' ', StringComparison.Ordinal)).ToList();
            if (matches.Count == 0)
            {
                return null;
            }

            // Each line starts with its KST timestamp (ISO 8601 with the offset), then a space.
            var line = last ? matches[^1] : matches[0];
            var stamp = DateTimeOffset.Parse(line[..line.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            return (stamp - started).TotalSeconds;
        }

        void Add(string phase, double? at)
        {
            if (at is { } value)
            {
                phases.Add((phase, value));
            }
        }

        Add("runtime start, host build, first migration applied (SchemaMigrator's first line)", At("SchemaMigrator: Database schema migrated"));
        Add("every migration applied (SchemaMigrator's last line)", At("SchemaMigrator: Database schema migrated", last: true));
        Add("after READY: Quartz scheduler created, triggers registered (MarketScheduleRegistrar)", At("MarketScheduleRegistrar: Scheduled"));
        Add("after READY: every hosted service started (StartupReport's 'started' line)", At("StartupReport: KRX Signal Worker"));
        Add("READY=1 received on the notify socket (sent once options, database with quick_check and calendar are checked)", ready);
        Add("first heartbeat file written (its modification time)", heartbeat);
        return (phases, Path.Combine(scratch, "worker.db"));
    }

    private static async Task<(double Ready, double? Heartbeat, string Scratch, DateTimeOffset Started)> ToReadyAsync(
        string dll, string[] args, Dictionary<string, string>? environment, string? database, bool keepScratch = false)
    {
        var scratch = WorkerBinary.NewScratch("startup");
        if (database is not null)
        {
            File.Copy(database, Path.Combine(scratch, "worker.db"));
        }

        using var notify = new NotifyListener(Path.Combine(scratch, "notify.sock"));
        var variables = new Dictionary<string, string>(environment ?? []) { ["NOTIFY_SOCKET"] = notify.Path };
        var heartbeatFile = Path.Combine(scratch, "heartbeat.json");
        var started = TimeProvider.System.GetUtcNow();
        var clock = Stopwatch.StartNew();
        using var process = WorkerBinary.Start(dll, args, scratch, variables);
        await notify.WaitForAsync("READY=1", Patience);
        var ready = clock.Elapsed.TotalSeconds;
        double? heartbeat = null;
        if (keepScratch)
        {
            while (!File.Exists(heartbeatFile) && clock.Elapsed < Patience)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
            }

            heartbeat = File.Exists(heartbeatFile) ? (new DateTimeOffset(File.GetLastWriteTimeUtc(heartbeatFile), TimeSpan.Zero) - started).TotalSeconds : null;
        }

        await WorkerBinary.StopAsync(process);
        if (!keepScratch)
        {
            WorkerBinary.Delete(scratch);
        }

        return (ready, heartbeat, scratch, started);
    }
}
