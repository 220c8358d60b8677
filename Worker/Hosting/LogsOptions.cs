using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Hosting;

internal sealed class LogsOptions : IValidatedOptions
{
    public static string Section => "Logs";

    /// <summary>Folder of the rolling log files; systemd points it at LogsDirectory.</summary>
    public string Directory { get; set; } = "logs";

    public void Validate(OptionsProblems problems) => problems.Required(nameof(Directory), Directory);
}
