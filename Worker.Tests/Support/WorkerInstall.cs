using System.Security.Cryptography;
using System.Text;

namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// The Worker's build output copied into an install folder of its own, as an operator installs it. Copying the
/// 46 MB output (native SQLite for every platform) per test cost seconds per run, so process tests share one copy and
/// treat it as read-only: every file they let the Worker write goes to their own temp folder. A test that writes into
/// its install folder, or checks what the Worker writes there, takes a private copy.
/// </summary>
public sealed class WorkerInstall : IDisposable
{
    /// <summary>A shared copy whose marker nobody touched for this long belongs to no running test run.</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromHours(1);

    private static readonly Lazy<WorkerInstall> SharedCopy = new(CreateShared);

    private readonly TempFolder? _owned;

    private WorkerInstall(string path, TempFolder? owned)
    {
        Path = path;
        _owned = owned;
    }

    /// <summary>
    /// The copy every process test reads from. It is named after the build it copies and kept between test runs (a
    /// test host is stopped too soon after its last test to delete 46 MB reliably), so a run copies only after a
    /// build; copies of older builds, unused for an hour, are deleted.
    /// </summary>
    public static WorkerInstall Shared => SharedCopy.Value;

    public string Path { get; }

    /// <summary>A copy for one test that writes into its install folder; the caller disposes it.</summary>
    public static WorkerInstall Private()
    {
        var folder = new TempFolder();
        WorkerProcess.Install(folder.Path);
        return new WorkerInstall(folder.Path, folder);
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => _owned?.Dispose();

    private static WorkerInstall CreateShared()
    {
        var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "krx-worker-tests");
        var path = System.IO.Path.Combine(root, $"install-{BuildStamp()}");
        var marker = System.IO.Path.Combine(path, ".complete");
        if (!System.IO.File.Exists(marker))
        {
            // Copied beside, then renamed: a copy under the final name is always complete, whoever made it.
            var staging = $"{path}.{Guid.NewGuid():N}";
            WorkerProcess.Install(staging);
            System.IO.File.WriteAllText(System.IO.Path.Combine(staging, ".complete"), WorkerProcess.OutputDirectory);
            try
            {
                Directory.Move(staging, path);
            }
            catch (IOException)
            {
                Directory.Delete(staging, recursive: true); // another test run made the same copy first
            }
        }

        System.IO.File.SetLastWriteTimeUtc(marker, TimeProvider.System.GetUtcNow().UtcDateTime);
        DeleteAbandoned(root, path);
        return new WorkerInstall(path, owned: null);
    }

    /// <summary>The build output's folder and the Worker assembly's size and time: a new build gets a new copy.</summary>
    private static string BuildStamp()
    {
        var assembly = new FileInfo(System.IO.Path.Combine(WorkerProcess.OutputDirectory, "Worker.dll"));
        var identity = $"{System.IO.Path.GetFullPath(WorkerProcess.OutputDirectory)}|{assembly.Length}|{assembly.LastWriteTimeUtc.Ticks}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
    }

    private static void DeleteAbandoned(string root, string current)
    {
        foreach (var other in Directory.EnumerateDirectories(root, "install-*"))
        {
            var marker = System.IO.Path.Combine(other, ".complete");
            var lastUsed = System.IO.File.Exists(marker) ? System.IO.File.GetLastWriteTimeUtc(marker) : Directory.GetLastWriteTimeUtc(other);
            if (other == current || TimeProvider.System.GetUtcNow().UtcDateTime - lastUsed < Abandoned)
            {
                continue;
            }

            try
            {
                Directory.Delete(other, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Still in use or already gone: the next run tries again.
            }
        }
    }
}
