namespace KrxSignal.Worker.Health.Doctor;

internal sealed class HeartbeatPathCheck(HeartbeatWriter heartbeat) : IDoctorCheck
{
    public string Name => "heartbeat";

    public Task<DoctorResult> RunAsync(CancellationToken cancellationToken) => Task.FromResult(
        FolderProbe.CanCreateIn(Path.GetDirectoryName(heartbeat.FilePath), out var problem)
            ? DoctorResult.Pass($"{heartbeat.FilePath} is writable")
            : DoctorResult.Fail($"{heartbeat.FilePath} cannot be written: {problem}", "Point Heartbeat:Path at a folder the service account can write"));
}
