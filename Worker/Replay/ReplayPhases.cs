using System.Diagnostics;
using System.Globalization;

namespace KrxSignal.Worker.Replay;

/// <summary>
/// Where a replay's wall time goes, by phase (host start, polls, downstream stages, delivery runs) and how often the
/// virtual clock had to be moved to a waiting timer; printed to stderr at the end when KRX_REPLAY_PHASES=1.
/// Costs one stopwatch read per step otherwise.
/// </summary>
internal static class ReplayPhases
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("KRX_REPLAY_PHASES") == "1";

    private static readonly Dictionary<string, (long Ticks, int Count)> Totals = [];
    private static int s_clockJumps;
    private static int s_looks;

    public static long Start() => Stopwatch.GetTimestamp();

    public static void Stop(string phase, long started)
    {
        if (!Enabled)
        {
            return;
        }

        var elapsed = Stopwatch.GetTimestamp() - started;
        lock (Totals)
        {
            var (ticks, count) = Totals.GetValueOrDefault(phase);
            Totals[phase] = (ticks + elapsed, count + 1);
        }
    }

    public static void DayDone(DateOnly day, TimeSpan wall, int timers)
    {
        if (Enabled)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replay phase day {day:yyyy-MM-dd} {wall.TotalSeconds:0.000} s, {timers} virtual timers armed, {GC.GetTotalMemory(false) / 1048576.0:0.0} MiB managed"));
        }
    }

    /// <summary>Resident memory at a named moment (host built, first poll, day end), to see where the peak comes from.</summary>
    public static void Mark(string moment)
    {
        if (Enabled)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replay phase at {moment}: {Environment.WorkingSet / 1048576.0:0.0} MiB resident, {GC.GetTotalMemory(false) / 1048576.0:0.0} MiB managed"));
        }
    }

    public static void ClockJumped() => Interlocked.Increment(ref s_clockJumps);

    public static void Looked() => Interlocked.Increment(ref s_looks);

    public static void Print()
    {
        if (!Enabled)
        {
            return;
        }

        lock (Totals)
        {
            foreach (var (phase, (ticks, count)) in Totals.OrderByDescending(t => t.Value.Ticks))
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"replay phase {phase,-12} {ticks / (double)Stopwatch.Frequency,7:0.000} s in {count,5} steps"));
            }
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replay phase clock jumps to a waiting timer: {s_clockJumps}; looks at a step still running: {s_looks}"));

        // What the process holds beyond the heap: methods compiled at run time (no ReadyToRun code, or tiered up) and
        // assemblies loaded (each maps its whole image).
        var gc = GC.GetGCMemoryInfo();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay phase jit {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, {System.Runtime.JitInfo.GetCompiledILBytes() / 1024} KiB IL, {System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:0.000} s; gc heap {gc.HeapSizeBytes / 1048576.0:0.0} MiB, committed {gc.TotalCommittedBytes / 1048576.0:0.0} MiB, {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} collections"));
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replay phase peak resident {self.PeakWorkingSet64 / 1048576.0:0.0} MiB"));
        var assemblies = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).Order().ToList();
        Console.Error.WriteLine($"replay phase {assemblies.Count} assemblies: {string.Join(' ', assemblies)}");
    }
}
