using System.Runtime.InteropServices;

namespace KrxSignal.Worker.Hosting;

/// <summary>
/// The database holds the portfolio's cash, the heartbeat and the logs its activity: files this process creates are
/// private to the running user (0600) whatever umask it was started with. The umask is tightened once, at start,
/// so files created later by libraries (SQLite's -wal and -shm, NLog's log and its archives) follow; the database
/// file and the heartbeat are also created with an explicit mode. No-op on Windows, where ACLs apply instead.
/// </summary>
internal static partial class PrivateFiles
{
    /// <summary>Group and others lose every bit: 0600 files, 0700 folders.</summary>
    private const uint PrivateMask = 0b000_111_111; // 077

    private static int s_restricted;

    public static UnixFileMode FileMode => UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Adds group and other bits to the process umask (keeping any stricter bits already set).</summary>
    public static void RestrictUmask()
    {
        if (OperatingSystem.IsWindows() || Interlocked.Exchange(ref s_restricted, 1) == 1)
        {
            return;
        }

        var previous = Umask(PrivateMask);
        _ = Umask(previous | PrivateMask);
    }

    /// <summary>Creates an empty file with mode 0600 unless it exists; losing a race to another process is fine.</summary>
    public static void CreateIfMissing(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        try
        {
            using var created = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first.
        }
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);
}
