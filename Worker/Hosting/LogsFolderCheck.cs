using KrxSignal.Worker.Health.Doctor;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Hosting;

/// <summary>A log folder the service cannot write leaves the operator with the journal only (and nothing at all on Windows).</summary>
internal sealed class LogsFolderCheck(IOptions<LogsOptions> options, AppPaths paths) : IDoctorCheck
{
    public string Name => "logs";

    public Task<DoctorResult> RunAsync(CancellationToken cancellationToken)
    {
        var folder = paths.Resolve(options.Value.Directory);
        return Task.FromResult(FolderProbe.CanCreateIn(folder, out var problem)
            ? DoctorResult.Pass($"{folder} is writable")
            : DoctorResult.Fail($"{folder} cannot be written: {problem}", "Point Logs:Directory at a folder the service account can write (the installers use the service's logs folder)"));
    }
}
