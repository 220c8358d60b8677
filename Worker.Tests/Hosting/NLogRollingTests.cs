using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Tests.Support;
using NLog;
using NLog.Targets;

namespace KrxSignal.Worker.Tests.Hosting;

/// <summary>
/// The shipped nlog.config, loaded the way the daemon loads it, with only the file target's size and count
/// limits made tiny: the layout, file names and archive settings under test are the real ones.
/// </summary>
[Collection(nameof(NLogRollingTests))]
[CollectionDefinition(nameof(NLogRollingTests), DisableParallelization = true)] // one test moves NLog's process-wide clock
public sealed class NLogRollingTests : IDisposable
{
    private readonly TempFolder _logs = new();

    public void Dispose() => _logs.Dispose();

    [Fact]
    public void FileTarget_AboveSizeLimit_RollsAndDeletesTheOldestArchives()
    {
        using var factory = NLogSetup.CreateFactory(new AppPaths(WorkerProcess.OutputDirectory), _logs.Path, consoleToStandardError: true);
        var file = factory.Configuration!.FindTargetByName<FileTarget>("file")!;
        file.ArchiveAboveSize = 4096;
        file.MaxArchiveFiles = 3;
        factory.Configuration.RemoveTarget("console");
        factory.ReconfigExistingLoggers();
        var logger = factory.GetLogger("KrxSignal.Worker.Rolling");

        // A few lines at a time, as the daemon logs: the async wrapper hands the file target whole batches,
        // and the size limit is checked per batch.
        for (var line = 0; line < 400; line++)
        {
            logger.Info("line {Line:0000} {Padding}", line, new string('x', 80));
            if (line % 5 == 4)
            {
                factory.Flush(TimeSpan.FromSeconds(10));
            }
        }

        factory.Shutdown();

        var files = Directory.GetFiles(_logs.Path).Select(Path.GetFileName).Order().ToList();
        var text = string.Concat(Directory.GetFiles(_logs.Path).Select(File.ReadAllText));
        files.Should().Contain("worker.log", "operators tail the current file by its fixed name");
        files.Should().HaveCount(4, "the current file and at most three archives: {0}", string.Join(", ", Directory.GetFiles(_logs.Path).Select(f => $"{Path.GetFileName(f)}={new FileInfo(f).Length}")));
        files.Where(f => f != "worker.log").Should().OnlyContain(f => System.Text.RegularExpressions.Regex.IsMatch(f!, @"^worker_\d{8}_\d{2}\.log$"), "archives are named by day and sequence");
        new FileInfo(Path.Combine(_logs.Path, "worker.log")).Length.Should().BeLessThanOrEqualTo(4096 + 200);
        File.ReadAllText(Path.Combine(_logs.Path, "worker.log")).Should().Contain("line 0399", "the newest line is in the current file");
        text.Should().NotContain("line 0000", "the oldest archives were deleted");
    }

    [Fact]
    public void FileTarget_NextDay_ArchivesYesterdaysFileUnderItsDate()
    {
        var clock = new SettableTimeSource(new DateTime(2026, 11, 19, 23, 59, 0, DateTimeKind.Utc));
        var previous = NLog.Time.TimeSource.Current;
        NLog.Time.TimeSource.Current = clock;
        try
        {
            using var factory = NLogSetup.CreateFactory(new AppPaths(WorkerProcess.OutputDirectory), _logs.Path, consoleToStandardError: true);
            factory.Configuration!.RemoveTarget("console");
            factory.ReconfigExistingLoggers();
            var logger = factory.GetLogger("KrxSignal.Worker.Rolling");

            logger.Info("before midnight");
            factory.Flush(TimeSpan.FromSeconds(10));
            clock.Now = new DateTime(2026, 11, 20, 0, 1, 0, DateTimeKind.Utc);
            logger.Info("after midnight");
            factory.Flush(TimeSpan.FromSeconds(10));
            factory.Shutdown();
        }
        finally
        {
            NLog.Time.TimeSource.Current = previous;
        }

        var archives = Directory.GetFiles(_logs.Path, "worker_*.log");
        archives.Should().ContainSingle().Which.Should().EndWith("worker_20261119_00.log");
        File.ReadAllText(archives[0]).Should().Contain("before midnight").And.NotContain("after midnight");
        File.ReadAllText(Path.Combine(_logs.Path, "worker.log")).Should().Contain("after midnight").And.NotContain("before midnight");
    }

    /// <summary>NLog reads time through its own TimeSource, not TimeProvider: this moves NLog's clock past midnight.</summary>
    private sealed class SettableTimeSource(DateTime start) : NLog.Time.TimeSource
    {
        public DateTime Now { get; set; } = start;

        public override DateTime Time => Now;

        public override DateTime FromSystemTime(DateTime systemTime) => systemTime.ToUniversalTime();
    }
}
