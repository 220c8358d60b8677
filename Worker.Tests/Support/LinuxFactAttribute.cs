namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// A process test that needs Linux itself: it sends POSIX signals to the Worker (SIGTERM as systemd stops it, SIGHUP
/// to reload it, SIGSTOP to freeze it at a crash point), expects the exit code a SIGKILL leaves (137), starts it under
/// a umask and reads Unix file modes, or listens on systemd's Unix datagram notification socket. Elsewhere the test
/// reports itself as skipped with the reason (<see cref="Needs"/>), instead of failing on a missing libc.
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
