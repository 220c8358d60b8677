using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Calendar;

/// <summary>`doctor`: the file parses, and covers this year (fail) and the next 30 days (warning in the text).</summary>
internal sealed class CalendarFileCheck(IOptions<CalendarOptions> options, AppPaths paths, TimeProvider time) : IDoctorCheck
{
    public string Name => "calendar";

    public async Task<DoctorResult> RunAsync(CancellationToken cancellationToken)
    {
        var path = paths.Resolve(options.Value.HolidaysFile);
        if (!File.Exists(path))
        {
            return DoctorResult.Fail($"{path} does not exist", "Restore holidays.json from the release, or set Calendar:HolidaysFile");
        }

        MarketCalendar calendar;
        try
        {
            calendar = await HolidayFileParser.LoadAsync(path, cancellationToken);
        }
        catch (CalendarConfigurationException e)
        {
            return DoctorResult.Fail(e.Message, "Fix the named line, or restore holidays.json from the release");
        }

        var now = time.GetUtcNow();
        var coverage = calendar.CoverageAt(now);
        var years = string.Join(", ", calendar.Years.Keys);
        if (coverage.CurrentYearMissing)
        {
            return DoctorResult.Fail($"{path} covers {years} but not {calendar.DateAt(now).Year}", "Add the current year's KRX closing days (docs/calendar.md says where to find them)");
        }

        var warning = coverage.Warnings.Count == 0 ? "" : $"; warning: {string.Join("; ", coverage.Warnings)}";
        return DoctorResult.Pass($"{path} covers {years}{warning}");
    }
}
