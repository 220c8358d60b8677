namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// The Worker's build output copied into an install folder of its own, as an operator installs it. Copying the
/// 46 MB output (native SQLite for every platform) per test cost seconds per run, so process tests share one copy per
/// test run and treat it as read-only: every file they let the Worker write goes to their own temp folder. A test
/// that writes into its install folder, or checks what the Worker writes there, takes a private copy.
/// </summary>
public sealed class WorkerInstall : IDisposable
{
    private static readonly Lazy<WorkerInstall> SharedCopy = new(() =>
    {
        var install = new WorkerInstall();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => install.Dispose();
        return install;
    });

    private readonly TempFolder _folder = new();

    private WorkerInstall() => WorkerProcess.Install(_folder.Path);

    /// <summary>The copy every process test reads from; copied on first use, deleted when the test run ends.</summary>
    public static WorkerInstall Shared => SharedCopy.Value;

    public string Path => _folder.Path;

    /// <summary>A copy for one test that writes into its install folder; the caller disposes it.</summary>
    public static WorkerInstall Private() => new();

    public string File(string name) => _folder.File(name);

    public void Dispose() => _folder.Dispose();
}
