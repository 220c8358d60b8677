using KrxSignal.Worker.Tests.Reliability;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Security;

/// <summary>Run by hand under the usual umask 022, the daemon's files are still private to its user.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesProcessTests : IDisposable
{
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly ProcessScenario _s = new();

    public void Dispose() => _s.Dispose();

    [LinuxFact("starts the Worker under umask 022 through /bin/sh, reads Unix file modes, sends SIGTERM")]
    public async Task Run_UnderUmask022_DatabaseWalShmHeartbeatAndLogNotReadableByOthers()
    {
        var environment = _s.Environment();
        environment["Clock__StartAt"] = "2026-11-25T02:30:00+09:00";
        await using var worker = _s.StartUnderUmask("022", environment, "run");
        await worker.WaitForOutputAsync("Scheduled", ProcessScenario.ProcessTimeout);
        await _s.WaitForHeartbeatAsync(h => h.GetProperty("status").GetString() == "healthy", worker, ProcessScenario.ProcessTimeout);

        string[] files = [_s.DatabasePath, _s.DatabasePath + "-wal", _s.DatabasePath + "-shm", _s.State.File("heartbeat.json"), Path.Combine(_s.State.File("logs"), "worker.log")];
        foreach (var file in files)
        {
            File.Exists(file).Should().BeTrue(file);
            (File.GetUnixFileMode(file) & GroupOrOthers).Should().Be((UnixFileMode)0, $"{file} is {File.GetUnixFileMode(file)}");
        }

        worker.Terminate();
        (await worker.WaitForExitAsync(ProcessScenario.ProcessTimeout)).Should().Be(0);
        Directory.EnumerateFiles(_s.State.Path, "*.tmp").Should().BeEmpty("every heartbeat's temporary file was renamed into place");
    }
}
