using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace KrxSignal.Worker.Tests.Support;

/// <summary>Runs the real Worker binary from a private copy of its build output, as an operator would.</summary>
public sealed partial class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process) => _process = process;

    public static string OutputDirectory { get; } = typeof(WorkerProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "WorkerOutputDirectory").Value!;

    public int Id => _process.Id;

    public string StandardOutput { get { lock (_gate) { return _stdout.ToString(); } } }

    public string StandardError { get { lock (_gate) { return _stderr.ToString(); } } }

    /// <summary>Copies the Worker's build output into <paramref name="installDirectory"/>.</summary>
    public static void Install(string installDirectory)
    {
        foreach (var source in Directory.EnumerateFiles(OutputDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(installDirectory, Path.GetRelativePath(OutputDirectory, source));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target, overwrite: true);
        }
    }

    /// <param name="umask">When set (e.g. "022"), the Worker starts under this umask, as a shell would start it.</param>
    public static WorkerProcess Start(string installDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, string? umask = null)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(umask is null ? host : "/bin/sh")
        {
            WorkingDirectory = workingDirectory ?? installDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (umask is not null)
        {
            foreach (var arg in (string[])["-c", $"umask {umask} && exec \"$0\" \"$@\"", host])
            {
                info.ArgumentList.Add(arg);
            }
        }

        info.ArgumentList.Add(Path.Combine(installDirectory, "Worker.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Append(worker._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(worker._stderr, e.Data);
        process.Exited += (_, _) => worker._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Runs a command to completion and returns its exit code.</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(
        string installDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        await using var worker = Start(installDirectory, args, environment, workingDirectory);
        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, worker.StandardOutput, worker.StandardError);
    }

    /// <summary>Completes when a line containing <paramref name="text"/> has been written to stdout or stderr.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        TaskCompletionSource seen;
        lock (_gate)
        {
            if (_stdout.ToString().Contains(text, StringComparison.Ordinal) || _stderr.ToString().Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, seen));
        }

        var first = await Task.WhenAny(seen.Task, _exited.Task, Task.Delay(timeout, TimeProvider.System));
        if (first != seen.Task)
        {
            throw new TimeoutException($"The Worker did not print '{text}' ({(_process.HasExited ? $"it exited with {_process.ExitCode}" : "timed out")}).\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The Worker did not exit within {timeout}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as systemd does on `systemctl stop`.</summary>
    public void Terminate()
    {
        if (SendSignal(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>SIGHUP, as `systemctl reload` or `kill -HUP` sends it.</summary>
    public void Hangup()
    {
        if (SendSignal(_process.Id, 1) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGHUP) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: the process ends wherever it stands, with no chance to unwind or commit.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGSTOP: freezes the process where it stands (a crash point that waits for the test).</summary>
    public void Freeze()
    {
        if (SendSignal(_process.Id, 19) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGSTOP) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    private void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            buffer.AppendLine(line);
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }
}
