using System.Text.Json;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Calendar;

public sealed class CalendarFileCheck(IOptions<CalendarOptions> options, AppPaths paths) : IDoctorCheck
{
    public string Name => "calendar";

    public async Task<DoctorResult> RunAsync(CancellationToken cancellationToken)
    {
        var path = paths.Resolve(options.Value.HolidaysFile);
        if (!File.Exists(path))
        {
            return DoctorResult.Fail($"{path} does not exist", "Restore holidays.json from the release, or set Calendar:HolidaysFile");
        }

        try
        {
            await using var stream = File.OpenRead(path);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            return DoctorResult.Pass($"{path} parses");
        }
        catch (JsonException e)
        {
            return DoctorResult.Fail($"{path} is not valid JSON: line {e.LineNumber + 1}: {e.Message}", "Fix the file, or restore it from the release");
        }
    }
}
