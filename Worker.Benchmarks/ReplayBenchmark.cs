using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KrxSignal.Worker.Benchmarks;

/// <summary>
/// The bundled sample day replayed by the real Worker binary, as an operator runs it: wall time,
/// polled instants a second, and the process's peak resident memory (VmHWM), medians of several runs.
/// </summary>
public static partial class ReplayBenchmark
{
    private const int Runs = 5;
    private const int PollsInSampleDay = 468;

    public static async Task RunAsync()
    {
        // The Worker's own build output (built alongside, same configuration), as an operator would run it.
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var worker = WorkerBinary.Dll;
        var sample = Path.Combine(repository, "samples", "sample-day-2026-11-20.jsonl");
        if (!File.Exists(sample))
        {
            Console.WriteLine($"replay: sample day not found at {sample}; run from the repository's build output");
            return;
        }

        var seconds = new List<double>();
        var peaks = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            var (wall, peakMiB) = await ReplayOnceAsync(worker, sample);
            seconds.Add(wall);
            peaks.Add(peakMiB);
        }

        var median = seconds.Order().ElementAt(Runs / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay sample day  median {median:0.00} s wall ({string.Join(", ", seconds.Select(s => s.ToString("0.00", CultureInfo.InvariantCulture)))}), {PollsInSampleDay / median:0} polled instants/s, target <= 3 s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay peak RSS    median {peaks.Order().ElementAt(Runs / 2):0} MiB ({string.Join(", ", peaks.Select(p => p.ToString("0", CultureInfo.InvariantCulture)))}), target <= 100 MiB"));
    }

    private static async Task<(double Seconds, double PeakMiB)> ReplayOnceAsync(string worker, string sample)
    {
        var database = Path.Combine(Path.GetTempPath(), $"krx-bench-replay-{Guid.NewGuid():N}.db");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { worker, "replay", sample, "--db", database })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["Logs__Directory"] = Path.Combine(Path.GetTempPath(), "krx-bench-logs");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        double peakKiB = 0;
        while (!process.HasExited)
        {
            // VmHWM only grows, so the last reading before exit is the peak within one sampling period.
            peakKiB = Math.Max(peakKiB, ReadHighWaterMarkKiB(process.Id));
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }

        await process.WaitForExitAsync();
        var wall = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(stdout, stderr);
        foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(database) + "*"))
        {
            File.Delete(file);
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"replay exited with {process.ExitCode}: {await stderr}");
        }

        return (wall, peakKiB / 1024);
    }

    private static double ReadHighWaterMarkKiB(int pid)
    {
        try
        {
            var status = File.ReadAllText($"/proc/{pid}/status");
            var match = HighWaterMark().Match(status);
            return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        }
        catch (IOException)
        {
            return 0; // The process ended between the check and the read.
        }
    }

    [GeneratedRegex(@"VmHWM:\s+(\d+) kB")]
    private static partial Regex HighWaterMark();
}
