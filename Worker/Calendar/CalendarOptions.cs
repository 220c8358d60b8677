using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Calendar;

internal sealed class CalendarOptions : IValidatedOptions
{
    public static string Section => "Calendar";

    public string HolidaysFile { get; set; } = "holidays.json";

    public void Validate(OptionsProblems problems) => problems.Required(nameof(HolidaysFile), HolidaysFile);
}
