using System.Globalization;
using System.Text.Json;
using Dapper;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Replay;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Replay;

/// <remarks>
/// In-process replays run alone, after the parallel tests (the "replay" collection, with ExportRoundTripTests). The
/// replay moves its virtual clock to the next timer once this process's thread pool has been quiet for two looks;
/// beside other test classes it never is, so every retry or Retry-After wait fell back to the slow path (20 looks)
/// and a replay took several times longer than the same replay on its own.
/// </remarks>
[Collection(Collection)]
[CollectionDefinition(Collection, DisableParallelization = true)]
public sealed class ReplayRunnerTests : IDisposable
{
    public const string Collection = "replay";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// A slice of the sample day, replayed twice: the morning to 09:30 (two 429s with Retry-After), the first minute of
    /// the 11:00 outage (every retry refused) and the 13:37 malformed answer. The day's fire times come from the calendar,
    /// so all 468 polls still run; after the slice the tape serves its last successes again. The whole file is replayed
    /// by WorkerProcessTests.Replay_BundledSampleDay_ExitsZeroWithTheSummary.
    /// </summary>
    [Fact]
    public async Task RunAsync_SampleDaySliceTwice_GivesIdenticalPredictionsAndSignals()
    {
        var slice = await SliceAsync(Repository.SampleDay, "slice.jsonl", ("07:00", "09:30"), ("11:00", "11:01"), ("13:37", "13:38"));

        var first = await ReplayAsync(slice, _folder.File("first.db"));
        var second = await ReplayAsync(slice, _folder.File("second.db"));

        first.Polls.Should().Be(468);
        first.PollsPerWindow.Should().BeEquivalentTo(new Dictionary<string, int> { ["pre-market"] = 24, ["regular"] = 390, ["post-market"] = 54 });
        first.UpstreamFailures.Should().BeGreaterThan(0, "the slice has an outage and a malformed answer");
        first.Signals.Values.Sum().Should().BeGreaterThan(0);

        var predictions = await RowsAsync(first.DatabasePath, PredictionsSql);
        predictions.Should().NotBeEmpty();
        (await RowsAsync(second.DatabasePath, PredictionsSql)).Should().Equal(predictions);
        var signals = await RowsAsync(first.DatabasePath, SignalsSql);
        (await RowsAsync(second.DatabasePath, SignalsSql)).Should().Equal(signals);
        second.DedupSuppressions.Should().Be(first.DedupSuppressions);
    }

    [Fact]
    public async Task RunAsync_ExamDaySample_PollsFollowTheShiftedSession()
    {
        // The polls follow the calendar's shifted session whatever the recording holds; the morning through the late open is enough to ingest news.
        var morning = await SliceAsync(Repository.SampleExamDay, "exam-morning.jsonl", ("07:00", "10:30"));

        var report = await ReplayAsync(morning, _folder.File("exam.db"));

        report.PollsPerWindow.Should().BeEquivalentTo(new Dictionary<string, int> { ["pre-market"] = 36, ["regular"] = 390, ["post-market"] = 42 });
        report.ArticlesIngested.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task RunAsync_NotATradingDay_FailsSayingSo()
    {
        var file = _folder.File("saturday.jsonl");
        await File.WriteAllTextAsync(file, """{"time":"2026-11-21T09:00:00+09:00","endpoint":"portfolio","status":200,"body":{}}""" + "\n");

        var act = () => ReplayAsync(file, _folder.File("saturday.db"));

        (await act.Should().ThrowAsync<ReplayException>()).Which.Message.Should().Contain("2026-11-21 is not a trading day");
    }

    private const string PredictionsSql =
        "SELECT article_id || '|' || model_id || '|' || status || '|' || IFNULL(direction, '') || '|' || IFNULL(impact, '') || '|' || IFNULL(confidence, '') || '|' || IFNULL(reasoning, '') || '|' || IFNULL(error, '') || '|' || updated_at FROM predictions ORDER BY article_id, model_id";

    private const string SignalsSql =
        "SELECT ticker || '|' || action || '|' || score || '|' || confidence || '|' || reason || '|' || created_at FROM signals ORDER BY created_at, ticker, action";

    private Task<ReplayReport> ReplayAsync(string file, string database) =>
        ReplayRunner.RunAsync(Settings(), file, database, deliver: false, progress: null, CancellationToken.None);

    private WorkerHostSettings Settings() => new()
    {
        ContentRoot = AppContext.BaseDirectory,
        Overrides = new Dictionary<string, string?> { ["Logs:Directory"] = _folder.File("logs") },
    };

    /// <summary>The recording's lines (kept byte for byte) whose KST time of day falls in one of the [from, to) ranges.</summary>
    private async Task<string> SliceAsync(string file, string name, params (string From, string To)[] ranges)
    {
        var kept = new List<string>();
        foreach (var line in await File.ReadAllLinesAsync(file))
        {
            using var json = JsonDocument.Parse(line);
            var time = TimeOnly.FromTimeSpan(json.RootElement.GetProperty("time").GetDateTimeOffset().ToKst().TimeOfDay);
            if (ranges.Any(r => time >= TimeOnly.Parse(r.From, CultureInfo.InvariantCulture) && time < TimeOnly.Parse(r.To, CultureInfo.InvariantCulture)))
            {
                kept.Add(line);
            }
        }

        var slice = _folder.File(name);
        await File.WriteAllLinesAsync(slice, kept);
        return slice;
    }

    private static async Task<List<string>> RowsAsync(string database, string sql)
    {
        await using var connection = await new SqliteDatabase(database).OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<string>(sql)).ToList();
    }
}
