using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KrxSignal.Worker.Tests.Cli;

/// <summary>
/// Command lines and files an operator might get wrong: each ends in a sentence and a documented exit code, never a
/// stack trace. <c>{passwd}</c> is a copy of /etc/passwd (a text file that is not a database; a copy, so nothing can
/// touch the real one), <c>{dir}</c> a folder, <c>{state}</c> the test's own folder.
/// </summary>
public sealed class HostileCommandLineProcessTests : IDisposable
{
    private readonly WorkerInstall _install = WorkerInstall.Shared;
    private readonly TempFolder _state = new();

    public void Dispose() => _state.Dispose();

    public static TheoryData<string, string, int> CommandLines() => new()
    {
        // command line, Storage:DatabasePath, expected exit code
        { "replay /dev/null", "{state}/worker.db", 2 },
        { "replay {dir}", "{state}/worker.db", 2 },
        { "replay {passwd}", "{state}/worker.db", 2 },
        { "replay {sample} --db /proc/no-such-folder/replay.db", "{state}/worker.db", 2 },
        { "replay {sample} --db {passwd}", "{state}/worker.db", 2 },
        { "replay {sample} --db {dir}", "{state}/worker.db", 2 },
        { "schedule --from 0001-01-01 --to 0001-01-02", "{state}/worker.db", 64 },
        { "schedule --from 9999-12-31 --to 9999-12-31", "{state}/worker.db", 64 },
        { "schedule --from 0001-01-02 --to 0001-01-03", "{state}/worker.db", 1 },
        { "schedule --from 2026-13-01 --to 2026-12-31", "{state}/worker.db", 64 },
        { "export-recording --day 2026-11-20", "{passwd}", 2 },
        { "export-recording --day 2026-11-20", "{dir}", 2 },
        { "export-recording --day 2026-11-20 --out /proc/no-such-folder/day.jsonl", "{state}/exported.db", 2 },
        { "poll-once", "{passwd}", 70 },
        { "poll-once", "/dev/null", 70 },
        { "run", "{passwd}", 70 },
        { "doctor", "{passwd}", 2 },
        { "status --heartbeat /dev/null", "{state}/worker.db", 2 },
        { "status --heartbeat {dir}", "{state}/worker.db", 2 },
    };

    [LinuxTheory("copies /etc/passwd, reads /dev/null and /proc")]
    [MemberData(nameof(CommandLines))]
    public async Task Command_HostileArgumentsOrFiles_EndsInASentenceAndADocumentedCode(string commandLine, string database, int expected)
    {
        var passwd = _state.File("passwd");
        File.Copy("/etc/passwd", passwd);
        Directory.CreateDirectory(_state.File("dir"));
        if (commandLine.StartsWith("export-recording", StringComparison.Ordinal) && database.EndsWith("exported.db", StringComparison.Ordinal))
        {
            await SeedOneSnapshotAsync(_state.File("exported.db"));
        }

        string Expand(string text) => text
            .Replace("{passwd}", passwd, StringComparison.Ordinal)
            .Replace("{dir}", _state.File("dir"), StringComparison.Ordinal)
            .Replace("{state}", _state.Path, StringComparison.Ordinal)
            .Replace("{sample}", Repository.SampleDay, StringComparison.Ordinal);

        var (exitCode, stdout, stderr) = await WorkerProcess.RunAsync(_install.Path, Expand(commandLine).Split(' '), new Dictionary<string, string?>
        {
            ["StockApi__BaseUrl"] = "http://127.0.0.1:9",
            ["Storage__DatabasePath"] = Expand(database),
            ["Heartbeat__Path"] = _state.File("heartbeat.json"),
            ["Logs__Directory"] = _state.File("logs"),
        });

        exitCode.Should().Be(expected, $"stdout:\n{stdout}\nstderr:\n{stderr}");
        var output = stdout + stderr;
        output.Should().NotContain("   at ").And.NotContain("Unhandled exception").And.NotContain("Exception:", "a sentence, not an exception's dump");
        output.Trim().Should().NotBeEmpty("the operator is told what happened");
        (await File.ReadAllBytesAsync(passwd)).Should().Equal(await File.ReadAllBytesAsync("/etc/passwd"), "a file that is not a database is never written");
    }

    [Fact]
    public async Task Schedule_MonthOfAYearTheCalendarLacks_WarnsNamingTheYearAndExitsOne()
    {
        var (exitCode, stdout, stderr) = await WorkerProcess.RunAsync(_install.Path, ["schedule", "--from", "2028-01-01", "--to", "2028-01-31"]);

        exitCode.Should().Be(1, stderr);
        stderr.Should().StartWith("Warning: ").And.Contain("has no calendar for 2028");
        stdout.Should().Contain("2028-01-03 Mon", "the schedule is still printed, marked").And.Contain("[year not in the calendar]");
    }

    [Fact]
    public async Task Schedule_YearsTheCalendarCovers_ExitsZeroWithoutWarning()
    {
        var (exitCode, _, stderr) = await WorkerProcess.RunAsync(_install.Path, ["schedule", "--from", "2026-12-01", "--to", "2027-01-31"]);

        exitCode.Should().Be(0, stderr);
        stderr.Should().BeEmpty();
    }

    [LinuxFact("sends SIGTERM")]
    public async Task Replay_SigtermMidDay_Exits143WithASentence()
    {
        await using var worker = WorkerProcess.Start(_install.Path, ["replay", Repository.SampleDay, "--db", _state.File("replay.db")]);
        await worker.WaitForOutputAsync("replay: 10%", TimeSpan.FromSeconds(60));

        worker.Terminate();

        (await worker.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(143, worker.StandardError);
        worker.StandardError.Should().Contain("Replay interrupted by SIGTERM").And.NotContain("   at ");
    }

    /// <summary>A database holding one snapshot recorded on 2026-11-20, so export-recording gets as far as writing.</summary>
    private static async Task SeedOneSnapshotAsync(string database)
    {
        var factory = new SqliteDatabase(database);
        await new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        await using var connection = await factory.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO snapshots (endpoint, fetched_at, http_status, latency_ms, payload) VALUES ('portfolio', @at, 200, 12, '{}')",
            new { at = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.FromHours(9)) }));
    }
}
