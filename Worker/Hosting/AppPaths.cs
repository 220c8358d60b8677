namespace KrxSignal.Worker.Hosting;

/// <summary>
/// Resolves configured paths against the application's folder, never the current directory:
/// a Windows service starts in System32 and a systemd unit wherever it is told.
/// </summary>
public sealed class AppPaths(string baseDirectory)
{
    public string BaseDirectory { get; } = Path.GetFullPath(baseDirectory);

    public string Resolve(string path) => Path.GetFullPath(path, BaseDirectory);
}
