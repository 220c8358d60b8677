using System.Reflection;

namespace KrxSignal.Worker.Tests.Support;

public static class Repository
{
    public static string Root { get; } = Path.GetFullPath(typeof(Repository).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!);

    public static string SampleDay => Path.Combine(Root, "samples", "sample-day-2026-11-20.jsonl");

    public static string SampleExamDay => Path.Combine(Root, "samples", "sample-exam-day-2026-11-19.jsonl");
}
