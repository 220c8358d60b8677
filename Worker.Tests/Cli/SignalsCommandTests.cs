using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using KrxSignal.Worker.Cli;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Replay;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Cli;

public sealed partial class SignalsCommandTests : IDisposable
{
    private static readonly DateTimeOffset Evening = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero); // 21:00 KST
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task RunAsync_SampleDayMorningReplayedAsJson_EverySignalNamedWithVotesArticlesAndKstTime()
    {
        var database = _folder.File("sample.db");
        var report = await ReplayRunner.RunAsync(Settings(), await SampleMorningAsync(), database, deliver: false, progress: null, CancellationToken.None);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await SignalsCommand.RunAsync(database, new DateOnly(2026, 11, 20), null, "json", Evening, output, error, isTerminal: false, CancellationToken.None);

        exit.Should().Be(0, error.ToString());
        using var json = JsonDocument.Parse(output.ToString());
        var signals = json.RootElement.EnumerateArray().ToList();
        signals.Should().HaveCount(report.Signals.Values.Sum()).And.HaveCountGreaterThan(3);
        (await IdsAsync(database)).Should().Equal(signals.Select(s => s.GetProperty("id").GetInt64()), "every signal of the replay, in time order");
        foreach (var s in signals)
        {
            var what = s.ToString();
            s.GetProperty("ticker").GetString().Should().MatchRegex("^[0-9]{6}$");
            s.GetProperty("name").GetString().Should().NotBeNullOrWhiteSpace(what);
            s.GetProperty("action").GetString().Should().BeOneOf("buy", "sell");
            Math.Abs(s.GetProperty("score").GetDouble()).Should().Be(s.GetProperty("confidence").GetDouble());
            KstTime().IsMatch(s.GetProperty("createdAt").GetString()!).Should().BeTrue(what);
            s.GetProperty("createdAt").GetString().Should().StartWith("2026-11-20T");
            var votes = s.GetProperty("votes").EnumerateArray().ToList();
            votes.Should().HaveCountGreaterThanOrEqualTo(2, what);
            foreach (var v in votes)
            {
                v.GetProperty("model").GetString().Should().NotBeNullOrEmpty();
                v.GetProperty("direction").GetString().Should().BeOneOf("up", "down", "neutral");
                v.GetProperty("impact").GetString().Should().BeOneOf("high", "medium", "low");
                v.GetProperty("confidence").GetDouble().Should().BeInRange(0, 1);
                v.GetProperty("reasoning").GetString().Should().NotBeNullOrEmpty();
            }

            var strongest = votes.Max(v => v.GetProperty("confidence").GetDouble());
            s.GetProperty("confidence").GetDouble().Should().BeLessThanOrEqualTo(strongest, what);
            var articles = s.GetProperty("articles").EnumerateArray().ToList();
            articles.Should().NotBeEmpty(what);
            foreach (var a in articles)
            {
                a.GetProperty("id").GetString().Should().StartWith("n-");
                a.GetProperty("title").GetString().Should().NotBeNullOrEmpty();
                a.GetProperty("url").GetString().Should().StartWith("https://");
                KstTime().IsMatch(a.GetProperty("publishedAt").GetString()!).Should().BeTrue(a.ToString());
            }

            s.GetProperty("delivery").GetProperty("status").GetString().Should().NotBeNullOrEmpty();
        }

        // The replay summary's spread: several bands used, nothing in the top band from two hedging models.
        var bands = await new Worker.Signals.SignalHistory(new SqliteDatabase(database)).BandsAsync(CancellationToken.None);
        bands.Sum(b => b.Signals).Should().Be(signals.Count);
        bands.Count(b => b.Signals > 0).Should().BeGreaterThanOrEqualTo(3);
        bands.Single(b => b.From == 0.9).Signals.Should().BeLessThan(signals.Count / 2);
    }

    [Fact]
    public async Task RunAsync_TableAndCsv_OneRowPerSignalInKst()
    {
        var database = await DatabaseWithOneSignalAsync();
        using var table = new StringWriter();
        using var csv = new StringWriter();

        (await SignalsCommand.RunAsync(database, new DateOnly(2026, 11, 20), null, "table", Evening, table, TextWriter.Null, false, CancellationToken.None)).Should().Be(0);
        (await SignalsCommand.RunAsync(database, null, "12h", "csv", Evening, csv, TextWriter.Null, false, CancellationToken.None)).Should().Be(0);

        table.ToString().Should().Contain("2026-11-20 09:14:00").And.Contain("삼성, 전자").And.Contain("2: m1 up 0.80, m2 up 0.70")
            .And.Contain("1 signals on 2026-11-20 (KST)");
        csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "created_at,ticker,name,action,score,confidence,reversal,votes,articles,delivery",
            "2026-11-20T09:14:00+09:00,005930,\"삼성, 전자\",buy,0.750,0.750,no,m1 up high 0.80; m2 up high 0.70,n-1,pending");
    }

    [Fact]
    public async Task RunAsync_OtherDay_NoSignalsSaidPlainly()
    {
        var database = await DatabaseWithOneSignalAsync();
        using var output = new StringWriter();

        // The signal is at 00:14 UTC on the 20th: a UTC-dated query for the 19th's evening would be wrong about it, a KST day is not.
        (await SignalsCommand.RunAsync(database, new DateOnly(2026, 11, 19), null, "table", Evening, output, TextWriter.Null, false, CancellationToken.None)).Should().Be(0);

        output.ToString().Trim().Should().Be("0 signals on 2026-11-19 (KST)");
    }

    [Theory]
    [InlineData("2026-11-20", "1h")]
    [InlineData(null, "soon")]
    [InlineData(null, "0m")]
    public async Task RunAsync_BadRange_UsageExit64(string? day, string since)
    {
        using var error = new StringWriter();

        var exit = await SignalsCommand.RunAsync(_folder.File("none.db"), day is null ? null : DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture), since, "json", Evening, TextWriter.Null, error, false, CancellationToken.None);

        exit.Should().Be(64);
        error.ToString().Should().Contain("--");
    }

    [Theory]
    [InlineData("--format", "xml")]
    [InlineData("--day", "2026-13-01")]
    [InlineData("--day", "20261120")]
    public async Task InvokeAsync_BadOption_UsageExit64(string option, string value)
    {
        (await WorkerCommandLine.InvokeAsync(["signals", option, value, "--db", _folder.File("none.db")], Settings())).Should().Be(64);
    }

    [Fact]
    public async Task RunAsync_MissingDatabase_OneSentenceNoStackTrace()
    {
        using var error = new StringWriter();
        var path = _folder.File("missing.db");

        var exit = await SignalsCommand.RunAsync(path, null, null, "table", Evening, TextWriter.Null, error, false, CancellationToken.None);

        exit.Should().Be(2);
        error.ToString().Trim().Should().Be($"No database at {path}: the Worker has not run with this configuration yet, or --db names another file.");
        File.Exists(path).Should().BeFalse("reading must not create the file");
    }

    [Fact]
    public async Task RunAsync_NotADatabase_OneSentence()
    {
        var path = _folder.File("notes.db");
        await File.WriteAllTextAsync(path, "this is not SQLite");
        using var error = new StringWriter();

        var exit = await SignalsCommand.RunAsync(path, null, null, "json", Evening, TextWriter.Null, error, false, CancellationToken.None);

        exit.Should().Be(2);
        error.ToString().Should().StartWith($"Cannot read signals from {path}:").And.NotContain("   at ");
    }

    [Theory]
    [InlineData("90m", 90)]
    [InlineData("2h", 120)]
    [InlineData("1d", 1440)]
    [InlineData("1h30m", 90)]
    [InlineData("01:30:00", 90)]
    public void ParseDuration_KnownForms_Minutes(string text, double minutes)
    {
        SignalsCommand.ParseDuration(text).Should().Be(TimeSpan.FromMinutes(minutes));
    }

    /// <summary>
    /// The sample day's recordings up to 10:55 KST: six signals, and none of the 11:00 outage, whose retry waits make a
    /// replay slow inside a busy test process. Later polls are answered from the last good recording, as replay does.
    /// </summary>
    private async Task<string> SampleMorningAsync()
    {
        var cutoff = new DateTimeOffset(2026, 11, 20, 10, 55, 0, Worker.Calendar.Kst.Offset);
        var lines = (await File.ReadAllLinesAsync(Repository.SampleDay))
            .Where(line => line.Length > 0 && JsonDocument.Parse(line).RootElement.GetProperty("time").GetDateTimeOffset() < cutoff);
        var path = _folder.File("sample-morning.jsonl");
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }

    private async Task<string> DatabaseWithOneSignalAsync()
    {
        var path = _folder.File("one.db");
        var connections = new SqliteDatabase(path);
        await new SchemaMigrator(connections, Microsoft.Extensions.Logging.Abstractions.NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        const string details = """
            {"name":"삼성, 전자","votes":[{"model":"m1","articleId":"n-1","direction":"up","impact":"high","confidence":0.8,"weight":1,"reasoning":"r1"},
            {"model":"m2","articleId":"n-1","direction":"up","impact":"high","confidence":0.7,"weight":1,"reasoning":"r2"}],
            "articles":[{"id":"n-1","title":"t","url":"https://news.example/1","publishedAt":"2026-11-20T00:10:00+00:00","arrivedAt":"2026-11-20T00:12:00+00:00"}]}
            """;
        await connection.ExecuteAsync(
            """
            INSERT INTO signals (ticker, action, score, confidence, reason, created_at, name, details)
            VALUES ('005930', 'buy', 0.75, 0.75, 'test', @At, '삼성, 전자', @Details)
            """, new { At = new DateTimeOffset(2026, 11, 20, 0, 14, 0, TimeSpan.Zero), Details = details });
        return path;
    }

    private static async Task<List<long>> IdsAsync(string database)
    {
        await using var connection = await new SqliteDatabase(database).OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<long>("SELECT id FROM signals ORDER BY created_at, id")).ToList();
    }

    private WorkerHostSettings Settings() => new()
    {
        ContentRoot = AppContext.BaseDirectory,
        Overrides = new Dictionary<string, string?> { ["Logs:Directory"] = _folder.File("logs") },
    };

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$")]
    private static partial Regex KstTime();
}
