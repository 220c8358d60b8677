using System.Globalization;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Tests.Support;
using NLog;
using NLog.Targets;

namespace KrxSignal.Worker.Tests.Hosting;

/// <summary>The shipped nlog.config's layouts, loaded the way the daemon loads them.</summary>
public sealed class LogFormatTests : IDisposable
{
    internal const string Forged = "n-1\n2026-11-20T09:14:00.000+09:00 CRITICAL KrxSignal.Worker: Fatal: forged\u001b[31m red\u001b[0m";

    private readonly TempFolder _logs = new();

    public void Dispose() => _logs.Dispose();

    [Theory]
    [InlineData("Fatal", 2)]
    [InlineData("Error", 3)]
    [InlineData("Warn", 4)]
    [InlineData("Info", 6)]
    [InlineData("Debug", 7)]
    [InlineData("Trace", 7)]
    public void ConsoleLayout_UnderJournal_StartsWithTheSyslogPriorityJournalctlFiltersOn(string level, int priority)
    {
        using var factory = Factory(journal: true);

        var line = Console(factory).Layout.Render(new LogEventInfo(LogLevel.FromString(level), "KrxSignal.Worker.Poll", "poll ok"));

        line.Should().StartWith($"<{priority}>20").And.EndWith("Poll: poll ok");
    }

    [Fact]
    public void ConsoleLayout_OutsideJournal_StartsWithTheTimestamp()
    {
        using var factory = Factory(journal: false);

        var line = Console(factory).Layout.Render(new LogEventInfo(LogLevel.Warn, "KrxSignal.Worker.Poll", "poll failed"));

        line.Should().MatchRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+09:00 WARN  Poll: poll failed$");
    }

    [Fact]
    public void FileLayout_AnyEvent_StartsWithIso8601InKstWithItsOffset()
    {
        using var factory = Factory(journal: false);
        var instant = new DateTime(2026, 11, 20, 0, 14, 0, 123, DateTimeKind.Utc);

        var line = File(factory).Layout.Render(new LogEventInfo(LogLevel.Info, "KrxSignal.Worker.Poll", "poll ok") { TimeStamp = instant.ToLocalTime() });

        var stamp = line.Split(' ')[0];
        stamp.Should().Be("2026-11-20T09:14:00.123+09:00");
        var parsed = DateTimeOffset.ParseExact(stamp, "yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
        parsed.Offset.Should().Be(TimeSpan.FromHours(9));
        parsed.UtcDateTime.Should().Be(instant);
    }

    [Fact]
    public void FileTarget_NewlineLadenArticleId_WritesOneLineWithoutEscapeCodes()
    {
        using (var factory = Factory(journal: false))
        {
            var logger = factory.GetLogger("KrxSignal.Worker.Predictions.PredictionFanOut");
            logger.Info("Predicting article {ArticleId} ({Ticker}) with {ModelCount} models", Forged, "005930\r\u2028", 2);
            logger.Error(new InvalidOperationException("upstream said:\n2026-11-20T09:15:00.000+09:00 CRITICAL forged too"), "Job {Job} failed", "poll");
            factory.Flush(TimeSpan.FromSeconds(10));
        }

        var lines = System.IO.File.ReadAllLines(_logs.File("worker.log"));
        lines[0].Should().Contain(@"n-1\n2026-11-20T09:14:00.000+09:00 CRITICAL").And.Contain(@"\u001b[31m").And.Contain(@"005930\r\u2028");
        lines.Where(l => !char.IsWhiteSpace(l[0])).Should().HaveCount(2, "one record per event; an exception's lines are indented: {0}", string.Join("\n", lines));
        lines.Should().NotContain(l => l.StartsWith("2026-11-20T09:1", StringComparison.Ordinal), "nothing from outside starts a line");
        string.Concat(lines).Should().NotContain("\u001b").And.NotContain("\u2028");
    }

    private LogFactory Factory(bool journal) =>
        NLogSetup.CreateFactory(new AppPaths(WorkerProcess.OutputDirectory), _logs.Path, consoleToStandardError: true, logFiles: true, journal: journal);

    private static ColoredConsoleTarget Console(LogFactory factory) => factory.Configuration!.AllTargets.OfType<ColoredConsoleTarget>().Single();

    private static FileTarget File(LogFactory factory) => factory.Configuration!.AllTargets.OfType<FileTarget>().Single();
}
