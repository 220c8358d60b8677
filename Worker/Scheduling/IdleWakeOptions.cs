using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Scheduling;

internal sealed class IdleWakeOptions : IValidatedOptions
{
    public static string Section => "Scheduling";

    /// <summary>
    /// Outside the market windows, with nothing pending and nothing due sooner, the pipeline and delivery jobs sleep
    /// this long at most before they look again (a safety net for work no one announced, such as rows written by hand).
    /// </summary>
    public TimeSpan IdleWakeInterval { get; set; } = TimeSpan.FromHours(1);

    public void Validate(OptionsProblems problems) =>
        problems.InRange(nameof(IdleWakeInterval), IdleWakeInterval, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
}
