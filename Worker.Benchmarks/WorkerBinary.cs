using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KrxSignal.Worker.Benchmarks;

/// <summary>
/// The Worker's own build output (same configuration as this benchmark), started as an operator starts it,
/// and what /proc says about a running process: resident memory, its peak, and CPU time.
/// </summary>
public static partial class WorkerBinary
{
    public static string Repository { get; } = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));

    public static string Configuration { get; } = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    private static readonly Lazy<string> Measured = new(Choose);

    /// <summary>
    /// What the installers install by default: the Worker published ReadyToRun for linux-x64, as deploy/systemd/install.sh
    /// publishes it (once per benchmark run, into the benchmark's obj folder). BENCHMARK_WORKER_DLL measures another
    /// build; BENCHMARK_WORKER_BUILD=plain the plain build output (JIT only).
    /// </summary>
    public static string Dll => Measured.Value;

    /// <summary>Which build <see cref="Dll"/> is, for the report.</summary>
    public static string Description { get; private set; } = "";

    private static string Choose()
    {
        if (Environment.GetEnvironmentVariable("BENCHMARK_WORKER_DLL") is { Length: > 0 } other)
        {
            Description = $"the build given by BENCHMARK_WORKER_DLL ({other})";
            return Path.GetFullPath(other);
        }

        if (Environment.GetEnvironmentVariable("BENCHMARK_WORKER_BUILD") == "plain" || !OperatingSystem.IsLinux())
        {
            Description = $"the plain {Configuration} build output (JIT only)";
            return Path.Combine(Repository, "Worker", "bin", Configuration, "net10.0", "Worker.dll");
        }

        var folder = Path.Combine(Repository, "Worker.Benchmarks", "obj", "installed-worker");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in new[] { "publish", Path.Combine(Repository, "Worker", "Worker.csproj"), "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", folder, "--nologo" })
        {
            info.ArgumentList.Add(arg);
        }

        using var publish = Process.Start(info)!;
        var output = publish.StandardOutput.ReadToEnd();
        publish.WaitForExit();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish of the Worker failed:\n{output}");
        }

        Description = "the Worker published ReadyToRun for linux-x64 as deploy/systemd/install.sh installs it";
        return Path.Combine(folder, "Worker.dll");
    }

    public static string SampleDay { get; } = Path.Combine(Repository, "samples", "sample-day-2026-11-20.jsonl");

    /// <summary>This benchmark's own program, started with <c>--bare-host</c>: a generic host with UseSystemd and nothing else.</summary>
    public static string BenchmarkDll { get; } = typeof(WorkerBinary).Assembly.Location;

    /// <summary>A temp folder for one process: database, heartbeat and logs never touch the repository.</summary>
    public static string NewScratch(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"krx-bench-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static Process Start(string dll, IEnumerable<string> args, string scratch, IReadOnlyDictionary<string, string>? environment = null, bool discardOutput = true)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = scratch,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Storage__DatabasePath"] = Path.Combine(scratch, "worker.db");
        info.Environment["Heartbeat__Path"] = Path.Combine(scratch, "heartbeat.json");
        info.Environment["Logs__Directory"] = Path.Combine(scratch, "logs");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        if (discardOutput)
        {
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        return process;
    }

    /// <summary>SIGTERM, as systemd stops the service; then waits for the exit.</summary>
    public static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
    }

    public static void Delete(string scratch)
    {
        try
        {
            Directory.Delete(scratch, recursive: true);
        }
        catch (IOException)
        {
            // A log file still being closed: the temp folder is cleaned by the system later.
        }
    }

    /// <summary>VmRSS in MiB, or 0 once the process is gone.</summary>
    public static double ResidentMiB(int pid) => StatusKiB(pid, ResidentLine()) / 1024;

    /// <summary>VmHWM (peak resident) in MiB, or 0 once the process is gone.</summary>
    public static double PeakMiB(int pid) => StatusKiB(pid, PeakLine()) / 1024;

    /// <summary>utime + stime from /proc/PID/stat, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name may hold spaces; the fields after its closing parenthesis do not.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ is 100 on Linux.
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static string List(IEnumerable<double> values, string format) =>
        string.Join(", ", values.Select(v => v.ToString(format, CultureInfo.InvariantCulture)));

    private static double StatusKiB(int pid, Regex line)
    {
        try
        {
            var match = line.Match(File.ReadAllText($"/proc/{pid}/status"));
            return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        }
        catch (IOException)
        {
            return 0; // The process ended between the check and the read.
        }
    }

    [GeneratedRegex(@"VmRSS:\s+(\d+) kB")]
    private static partial Regex ResidentLine();

    [GeneratedRegex(@"VmHWM:\s+(\d+) kB")]
    private static partial Regex PeakLine();
}
