using System.Globalization;
using System.Text.Json;
using Dapper;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Replay;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Replay;

/// <summary>A recording that spans several days replays every trading day in it, one after another, into one database.</summary>
[Collection(ReplayRunnerTests.Collection)] // runs alone: see ReplayRunnerTests
public sealed class MultiDayReplayTests : IDisposable
{
    private static readonly DateOnly[] TradingDays = [new(2026, 11, 20), new(2026, 11, 23), new(2026, 11, 24)];
    private static readonly DateOnly Saturday = new(2026, 11, 21);

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task RunAsync_ThreeTradingDaysAndASaturday_ReplaysEveryTradingDayAndSkipsTheSaturday()
    {
        var file = await ThreeDayRecordingAsync();
        var database = _folder.File("three-days.db");

        var report = await ReplayRunner.RunAsync(Settings(), file, database, deliver: false, progress: null, CancellationToken.None);

        report.Days.Select(d => d.Day).Should().Equal(TradingDays);
        report.SkippedDays.Should().Equal(Saturday);
        report.Days.Should().AllSatisfy(d => d.Polls.Should().Be(468, "every trading day polls its whole calendar"));
        report.Polls.Should().Be(3 * 468);
        report.Days.Should().AllSatisfy(d => d.Added.Articles.Should().BeGreaterThan(0, "each day's recording brings that day's news"));
        report.ArticlesIngested.Should().Be((int)report.Days.Sum(d => d.Added.Articles));
        report.Signals.Values.Sum().Should().Be((int)report.Days.Sum(d => d.Added.Signals));

        await using var connection = await new SqliteDatabase(database).OpenAsync(CancellationToken.None);
        var firstSeen = await connection.QueryAsync<string>("SELECT created_at FROM news_articles");
        firstSeen.Select(t => Kst.DateOf(DateTimeOffset.Parse(t, CultureInfo.InvariantCulture))).Distinct().Order().Should().Equal(TradingDays);
    }

    [Fact]
    public async Task ReadDaysAsync_DaysInOrder_GivesOneGroupPerKstDayInTimeOrder()
    {
        var path = _folder.File("two-days.jsonl");
        await File.WriteAllLinesAsync(path, [Line("2026-11-20T09:01:00+09:00"), Line("2026-11-20T09:00:00+09:00"), Line("2026-11-20T23:59:59+09:00"), Line("2026-11-23T00:00:00+09:00")]);

        var days = await ReplayFile.ReadDaysAsync(path, CancellationToken.None).ToListAsync();

        days.Select(d => d.Day).Should().Equal(new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 23));
        days[0].Records.Select(r => r.Time.ToKst().TimeOfDay).Should().Equal(TimeSpan.FromHours(9), TimeSpan.FromMinutes(541), new TimeSpan(23, 59, 59));
        days[1].Records.Should().ContainSingle();
    }

    [Fact]
    public async Task ReadDaysAsync_LineBackOnAnEarlierDay_NamesFileAndLine()
    {
        var path = _folder.File("backwards.jsonl");
        await File.WriteAllLinesAsync(path, [Line("2026-11-23T09:00:00+09:00"), Line("2026-11-20T09:00:00+09:00")]);

        var act = async () => await ReplayFile.ReadDaysAsync(path, CancellationToken.None).ToListAsync();

        (await act.Should().ThrowAsync<InvalidDataException>()).Which.Message.Should().Contain($"{path}:2:").And.Contain("in time order");
    }

    private static string Line(string time) => $$$"""{"time":"{{{time}}}","endpoint":"portfolio","status":200,"body":{}}""";

    /// <summary>
    /// The sample day's morning to 09:30 moved onto three trading days (article ids made unique per day), with one
    /// Saturday record between them: a small file that still has news, polls and signals on every day.
    /// </summary>
    private async Task<string> ThreeDayRecordingAsync()
    {
        var morning = new List<string>();
        foreach (var line in await File.ReadAllLinesAsync(Repository.SampleDay))
        {
            using var json = JsonDocument.Parse(line);
            if (json.RootElement.GetProperty("time").GetDateTimeOffset().ToKst().TimeOfDay < new TimeSpan(9, 30, 0))
            {
                morning.Add(line);
            }
        }

        var lines = new List<string>();
        foreach (var day in TradingDays)
        {
            var date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            lines.AddRange(morning.Select(l => l.Replace("2026-11-20", date, StringComparison.Ordinal).Replace("\"id\":\"n-", $"\"id\":\"n-{day:yyyyMMdd}-", StringComparison.Ordinal)));
            if (day == TradingDays[0])
            {
                lines.Add(Line("2026-11-21T10:00:00+09:00"));
            }
        }

        var file = _folder.File("three-days.jsonl");
        await File.WriteAllLinesAsync(file, lines);
        return file;
    }

    private WorkerHostSettings Settings() => new()
    {
        ContentRoot = AppContext.BaseDirectory,
        Overrides = new Dictionary<string, string?> { ["Logs:Directory"] = _folder.File("logs") },
    };
}
