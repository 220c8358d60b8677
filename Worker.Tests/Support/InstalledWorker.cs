namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// One private install of the Worker shared by a test class (its tests run one after another), for tests that
/// only change files they put back or environment variables: copying the build output per test costs seconds.
/// </summary>
public sealed class InstalledWorker : IDisposable
{
    private readonly TempFolder _folder = new();

    public InstalledWorker() => WorkerProcess.Install(_folder.Path);

    public string Path => _folder.Path;

    public string File(string name) => _folder.File(name);

    public void Dispose() => _folder.Dispose();
}
