using Dapper;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Replay;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Replay;

public sealed class ReplayRunnerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task RunAsync_SampleDayTwice_GivesIdenticalPredictionsAndSignals()
    {
        var first = await ReplayAsync(Repository.SampleDay, _folder.File("first.db"));
        var second = await ReplayAsync(Repository.SampleDay, _folder.File("second.db"));

        first.Polls.Should().Be(468);
        first.PollsPerWindow.Should().BeEquivalentTo(new Dictionary<string, int> { ["pre-market"] = 24, ["regular"] = 390, ["post-market"] = 54 });
        first.UpstreamFailures.Should().BeGreaterThan(0, "the sample has an outage and a malformed answer");
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
        var report = await ReplayAsync(Repository.SampleExamDay, _folder.File("exam.db"));

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

    private static async Task<List<string>> RowsAsync(string database, string sql)
    {
        await using var connection = await new SqliteConnectionFactory(database).OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<string>(sql)).ToList();
    }
}
