using System.Text.Json;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Cli;

/// <summary>Starts the real binary from an install folder, as the service manager would.</summary>
public sealed class WorkerProcessTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly WorkerInstall _install = WorkerInstall.Shared;
    private readonly TempFolder _elsewhere = new();

    public void Dispose() => _elsewhere.Dispose();

    [Fact]
    public async Task Run_BadConfigValue_Exits78WithOneLineNamingTheKey()
    {
        var (exitCode, _, stderr) = await WorkerProcess.RunAsync(_install.Path, ["run"], new Dictionary<string, string?> { ["StockApi__AttemptTimeout"] = "00:00:00" });

        exitCode.Should().Be(78);
        stderr.Trim().Should().StartWith("Configuration error: StockApi:AttemptTimeout").And.NotContain("\n").And.NotContain("   at ");
    }

    [LinuxFact("sends SIGTERM")]
    public async Task Run_FromAnotherCurrentDirectory_WritesUnderTheApplicationFolder()
    {
        using var install = WorkerInstall.Private(); // the test is about what lands in the install folder
        await using var worker = WorkerProcess.Start(install.Path, [], workingDirectory: _elsewhere.Path);
        await worker.WaitForOutputAsync("started (pid", StartTimeout);
        worker.Terminate();
        (await worker.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);

        File.Exists(install.File("data/worker.db")).Should().BeTrue();
        File.Exists(install.File("data/heartbeat.json")).Should().BeTrue();
        File.Exists(install.File("logs/worker.log")).Should().BeTrue();
        Directory.EnumerateFileSystemEntries(_elsewhere.Path).Should().BeEmpty();
    }

    // Idle daemon only for now: once polling lands, send SIGTERM while a poll cycle is in flight (a slow
    // WireMock upstream) and also assert that no partial rows were written.
    [LinuxFact("sends SIGTERM")]
    public async Task Run_Sigterm_ExitsZeroWithinTenSecondsAndHeartbeatSaysStopped()
    {
        var heartbeat = _elsewhere.File("state/heartbeat.json");
        await using var worker = WorkerProcess.Start(_install.Path, ["run"], new Dictionary<string, string?>
        {
            ["Heartbeat__Path"] = heartbeat,
            ["Storage__DatabasePath"] = _elsewhere.File("state/worker.db"),
            ["Logs__Directory"] = _elsewhere.File("logs"),
        });
        await worker.WaitForOutputAsync("started (pid", StartTimeout);

        worker.Terminate();

        (await worker.WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
        (await HeartbeatFile.ReadAsync(heartbeat, CancellationToken.None))!.Status.Should().Be(HealthStatus.Stopped);
    }

    [Fact]
    public async Task Run_CorruptDatabase_ExitsNonZeroNamingTheFile()
    {
        var database = _elsewhere.File("worker.db");
        await File.WriteAllTextAsync(database, new string('x', 8192));

        var (exitCode, _, stderr) = await WorkerProcess.RunAsync(_install.Path, ["run"], new Dictionary<string, string?>
        {
            ["Storage__DatabasePath"] = database,
            ["Heartbeat__Path"] = _elsewhere.File("heartbeat.json"),
            ["Logs__Directory"] = _elsewhere.File("logs"),
        });

        exitCode.Should().NotBe(0);
        stderr.Should().Contain(database);
    }

    [Fact]
    public async Task Status_NoHeartbeat_ExitsTwo()
    {
        var (exitCode, stdout, _) = await WorkerProcess.RunAsync(_install.Path, ["status", "--heartbeat", _elsewhere.File("none.json")]);

        exitCode.Should().Be(2);
        stdout.Should().Contain("no heartbeat");
    }

    [Fact]
    public async Task Status_StaleHeartbeat_ExitsTwo()
    {
        var path = _elsewhere.File("heartbeat.json");
        await HeartbeatFile.WriteAsync(path, Heartbeat(HealthStatus.Healthy, writtenSecondsAgo: 600), CancellationToken.None);

        var (exitCode, stdout, _) = await WorkerProcess.RunAsync(_install.Path, ["status", "--heartbeat", path]);

        exitCode.Should().Be(2);
        stdout.Should().Contain("stale");
    }

    [Fact]
    public async Task Status_FreshHealthyHeartbeat_ExitsZeroAndJsonSaysHealthy()
    {
        var path = _elsewhere.File("heartbeat.json");
        await HeartbeatFile.WriteAsync(path, Heartbeat(HealthStatus.Healthy, writtenSecondsAgo: 1), CancellationToken.None);

        var (exitCode, stdout, _) = await WorkerProcess.RunAsync(_install.Path, ["status", "--heartbeat", path, "--json"]);

        exitCode.Should().Be(0);
        using var json = JsonDocument.Parse(stdout);
        json.RootElement.GetProperty("status").GetString().Should().Be("healthy");
    }

    [Fact]
    public async Task Status_RunningDaemonWithoutBaseUrl_ExitsOneDegradedWithTheReason()
    {
        var heartbeat = _elsewhere.File("heartbeat.json");
        var environment = new Dictionary<string, string?>
        {
            ["Heartbeat__Path"] = heartbeat,
            ["Storage__DatabasePath"] = _elsewhere.File("worker.db"),
            ["Logs__Directory"] = _elsewhere.File("logs"),
        };
        await using var worker = WorkerProcess.Start(_install.Path, ["run"], environment);
        await worker.WaitForOutputAsync("Polling is off", StartTimeout);

        var (exitCode, stdout, _) = await WorkerProcess.RunAsync(_install.Path, ["status"], environment);

        exitCode.Should().Be(1);
        stdout.Should().Contain("StockApi:BaseUrl");
    }

    [Fact]
    public async Task Replay_BundledSampleDay_ExitsZeroWithTheSummary()
    {
        var (exitCode, stdout, stderr) = await WorkerProcess.RunAsync(
            _install.Path, ["replay", Repository.SampleDay, "--db", _elsewhere.File("replay.db")], new Dictionary<string, string?> { ["Logs__Directory"] = _elsewhere.File("logs") });

        exitCode.Should().Be(0, stderr);
        stdout.Should().MatchRegex(@"polls, regular\s+│\s+390");
        stdout.Should().Contain("signals").And.Contain("not sent");
        File.Exists(_elsewhere.File("replay.db")).Should().BeTrue();
    }

    [Fact]
    public async Task Replay_MissingFile_ExitsTwoNamingIt()
    {
        var (exitCode, _, stderr) = await WorkerProcess.RunAsync(_install.Path, ["replay", _elsewhere.File("nope.jsonl")]);

        exitCode.Should().Be(2);
        stderr.Should().Contain("nope.jsonl");
    }

    [Fact]
    public async Task UnknownCommand_ExitsUsage64()
    {
        var (exitCode, _, stderr) = await WorkerProcess.RunAsync(_install.Path, ["frobnicate"]);

        exitCode.Should().Be(64);
        stderr.Should().Contain("frobnicate");
    }

    [LinuxFact("sends SIGTERM")]
    public async Task Secrets_InEveryOutput_NeverAppear()
    {
        const string apiKey = "sk-STOCK-7f3a9c1e-SECRET";
        const string botToken = "123456:TELEGRAM-b41d-SECRET";
        const string webhookSecret = "whsec_aG1hYy1XRUJIT09LLTllMmMtU0VDUkVULXBhZGRpbmc="; // a Standard Webhooks secret, or start-up refuses it
        var heartbeat = _elsewhere.File("heartbeat.json");
        var logs = _elsewhere.File("logs");
        var environment = new Dictionary<string, string?>
        {
            ["StockApi__BaseUrl"] = "http://127.0.0.1:9",
            ["StockApi__ApiKey"] = apiKey,
            ["Notify__Telegram__BotToken"] = botToken,
            ["Notify__Telegram__ChatId"] = "42",
            ["Notify__Webhook__Url"] = "http://127.0.0.1:9/hook",
            ["Notify__Webhook__Secret"] = webhookSecret,
            ["Heartbeat__Path"] = heartbeat,
            ["Storage__DatabasePath"] = _elsewhere.File("worker.db"),
            ["Logs__Directory"] = logs,
        };

        await using (var worker = WorkerProcess.Start(_install.Path, ["run"], environment))
        {
            await worker.WaitForOutputAsync("started (pid", StartTimeout);
            var status = await WorkerProcess.RunAsync(_install.Path, ["status", "--json"], environment);
            var doctor = await WorkerProcess.RunAsync(_install.Path, ["doctor"], environment);
            var badConfig = await WorkerProcess.RunAsync(_install.Path, ["run"], new Dictionary<string, string?>(environment) { ["StockApi__MaxRetries"] = "many" });
            worker.Terminate();
            await worker.WaitForExitAsync(TimeSpan.FromSeconds(10));

            string[] outputs =
            [
                worker.StandardOutput, worker.StandardError, status.StandardOutput, status.StandardError,
                doctor.StandardOutput, doctor.StandardError, badConfig.StandardOutput, badConfig.StandardError,
                await File.ReadAllTextAsync(heartbeat),
                .. Directory.GetFiles(logs).Select(File.ReadAllText),
            ];
            outputs.Should().NotContain(o => o.Contains(apiKey) || o.Contains(botToken) || o.Contains(webhookSecret));
            outputs.Should().Contain(o => o.Contains("started (pid"), "the outputs checked must be the real ones");
        }
    }

    private static HeartbeatDocument Heartbeat(HealthStatus status, int writtenSecondsAgo)
    {
        var now = TimeProvider.System.GetUtcNow();
        return new HeartbeatDocument
        {
            Status = status,
            Reasons = [],
            Pid = 4242,
            Version = "test",
            StartedAt = now.AddHours(-1),
            WrittenAt = now.AddSeconds(-writtenSecondsAgo),
            IntervalSeconds = 15,
        };
    }
}
