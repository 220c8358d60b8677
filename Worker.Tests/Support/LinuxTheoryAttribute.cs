namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// <see cref="LinuxFactAttribute"/> for a theory: every row needs Linux itself (a file only Linux has, such as
/// /etc/passwd, /dev/null or /proc). Elsewhere the theory reports itself as skipped with the reason.
/// </summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute(string needs)
    {
        Needs = needs;
        if (!OperatingSystem.IsLinux())
        {
            Skip = $"Linux only: {needs}";
        }
    }

    public string Needs { get; }
}
