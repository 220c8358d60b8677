namespace KrxSignal.Worker.Health.Doctor;

/// <summary>One line of `Worker doctor`; each feature registers the checks for what it depends on.</summary>
internal interface IDoctorCheck
{
    string Name { get; }

    Task<DoctorResult> RunAsync(CancellationToken cancellationToken);
}

/// <param name="Detail">What was found.</param>
/// <param name="Fix">What to try when it failed.</param>
/// <param name="Warn">Passed, but something deserves a look (printed as WARN; the exit code stays 0).</param>
public sealed record DoctorResult(bool Passed, string Detail, string? Fix = null, bool Warn = false)
{
    public static DoctorResult Warning(string detail, string fix) => new(true, detail, fix, Warn: true);

    public static DoctorResult Pass(string detail) => new(true, detail);

    public static DoctorResult Fail(string detail, string fix) => new(false, detail, fix);
}
