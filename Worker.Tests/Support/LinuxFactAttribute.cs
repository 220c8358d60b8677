namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// A process test that needs Linux itself: it sends POSIX signals to the Worker (SIGTERM as systemd stops it,
/// SIGSTOP to freeze it at a crash point) or listens on systemd's Unix datagram notification socket. Elsewhere the
/// test reports itself as skipped with the reason, instead of failing on a missing libc.
/// </summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute(string needs)
    {
        Needs = needs;
        if (!OperatingSystem.IsLinux())
        {
            Skip = $"Linux only: {needs}";
        }
    }

    public string Needs { get; }
}
