using System.Reflection;
using System.Text.Json;
using KrxSignal.Worker.Calendar;

namespace KrxSignal.Worker.Tests.Support;

public static class Repository
{
    public static string Root { get; } = Path.GetFullPath(typeof(Repository).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!);

    public static string SampleDay => Path.Combine(Root, "samples", "sample-day-2026-11-20.jsonl");

    public static string SampleExamDay => Path.Combine(Root, "samples", "sample-exam-day-2026-11-19.jsonl");

    /// <summary>The sample day's recordings before <paramref name="cutoff"/> (KST), as a replay file in <paramref name="folder"/>: a shorter replay.</summary>
    public static async Task<string> SampleDayUntilAsync(TempFolder folder, TimeOnly cutoff)
    {
        var end = Kst.At(new DateOnly(2026, 11, 20), cutoff);
        var lines = (await File.ReadAllLinesAsync(SampleDay))
            .Where(line => line.Length > 0 && JsonDocument.Parse(line).RootElement.GetProperty("time").GetDateTimeOffset() < end);
        var path = folder.File($"sample-day-until-{cutoff:HHmm}.jsonl");
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }
}
