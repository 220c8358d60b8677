using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Cli;

/// <summary>
/// A broken or unreadable configuration file, for every command: exit 78 and one line naming the file, the line and
/// the problem. The JSON cases use an environment's own appsettings.{Environment}.json, which the host reads too.
/// Every test breaks a file in its install folder, so each has a private copy of the install.
/// </summary>
public sealed class ConfigurationFileProcessTests : IDisposable
{
    private const string EnvironmentName = "Broken";

    private static readonly string[] Commands =
    [
        "run", "doctor", "status", "schedule --from 2026-11-19 --to 2026-11-20", "poll-once", "replay SAMPLE", "export-recording --day 2026-11-20",
    ];

    private readonly WorkerInstall _install = WorkerInstall.Private();
    private readonly TempFolder _state = new();

    private string BrokenSettings => _install.File($"appsettings.{EnvironmentName}.json");

    private string NLogConfig => _install.File("nlog.config");

    public static TheoryData<string> EveryCommand() => new(Commands);

    public void Dispose()
    {
        _install.Dispose();
        _state.Dispose();
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task AnyCommand_JsonSyntaxErrorInAppSettings_Exits78WithOneLineNamingFileAndLine(string command)
    {
        await File.WriteAllTextAsync(BrokenSettings, "{\n  \"StockApi\": {\n    \"BaseUrl\": \"http://x\"\n    \"ApiKey\": \"\"\n  }\n}\n");

        var (exitCode, stdout, stderr) = await RunAsync(command);

        exitCode.Should().Be(78, stdout + stderr);
        OneLine(stderr).Should().StartWith($"Configuration error: {BrokenSettings} line 4: ").And.Contain("invalid after a value");
    }

    [Theory]
    [InlineData("run")]
    [InlineData("replay SAMPLE")]
    public async Task AnyCommand_TruncatedNLogConfig_Exits78WithOneLineNamingFileAndLine(string command)
    {
        await File.WriteAllTextAsync(NLogConfig, "<?xml version=\"1.0\"?>\n<nlog>\n  <targets>\n");

        var (exitCode, stdout, stderr) = await RunAsync(command);

        exitCode.Should().Be(78, stdout + stderr);
        OneLine(stderr).Should().MatchRegex($@"^Configuration error: {System.Text.RegularExpressions.Regex.Escape(NLogConfig)} line \d+: .*XML");
    }

    [Fact]
    public async Task Run_NLogConfigWithUnknownTargetType_Exits78NamingTheLineOfTheType()
    {
        var shipped = await File.ReadAllLinesAsync(NLogConfig);
        var line = Array.FindIndex(shipped, l => l.Contains("xsi:type=\"File\"", StringComparison.Ordinal)) + 1;
        await File.WriteAllLinesAsync(NLogConfig, shipped.Select(l => l.Replace("xsi:type=\"File\"", "xsi:type=\"Flie\"", StringComparison.Ordinal)));

        var (exitCode, stdout, stderr) = await RunAsync("run");

        exitCode.Should().Be(78, stdout + stderr);
        OneLine(stderr).Should().Be($"Configuration error: {NLogConfig} line {line}: Failed to create Target with unknown type-alias: 'Flie' - Verify type-alias and check extension is included.");
    }

    [Fact]
    public async Task Run_NLogConfigIsAFolder_Exits78NamingIt()
    {
        File.Delete(NLogConfig);
        Directory.CreateDirectory(NLogConfig);
        try
        {
            var (exitCode, stdout, stderr) = await RunAsync("run");

            exitCode.Should().Be(78, stdout + stderr);
            OneLine(stderr).Should().Be($"Configuration error: {NLogConfig}: is a folder, not a file");
        }
        finally
        {
            Directory.Delete(NLogConfig);
        }
    }

    [Fact]
    public async Task Doctor_AppSettingsIsAFolder_Exits78NamingIt()
    {
        Directory.CreateDirectory(BrokenSettings);

        var (exitCode, stdout, stderr) = await RunAsync("doctor");

        exitCode.Should().Be(78, stdout + stderr);
        OneLine(stderr).Should().Be($"Configuration error: {BrokenSettings}: is a folder, not a file");
    }

    [LinuxFact("sends SIGTERM")]
    public async Task DoctorAndRun_MisspeltKeyAndSecretInAFile_WarnNamingTheKeysNeverTheValue()
    {
        await File.WriteAllTextAsync(BrokenSettings, """{"StockApi":{"BaseUlr":"http://127.0.0.1:9","ApiKey":"sk-WRITTEN-IN-A-FILE"}}""");

        var doctor = await RunAsync("doctor");
        await using var worker = WorkerProcess.Start(_install.Path, ["run"], Environment());
        await worker.WaitForOutputAsync("StockApi:ApiKey is set in", TimeSpan.FromSeconds(30));
        worker.Terminate();
        await worker.WaitForExitAsync(TimeSpan.FromSeconds(10));

        doctor.StandardOutput.Should().Contain("WARN  config-keys  StockApi:BaseUlr is not a setting the Worker reads (did you mean StockApi:BaseUrl?)")
            .And.Contain("StockApi:ApiKey is set in");
        worker.StandardOutput.Should().Contain("WARN  ConfigurationWarnings: Configuration: StockApi:BaseUlr is not a setting the Worker reads (did you mean StockApi:BaseUrl?)");
        string.Concat(doctor.StandardOutput, doctor.StandardError, worker.StandardOutput, worker.StandardError).Should().NotContain("sk-WRITTEN-IN-A-FILE");
    }

    private static string OneLine(string stderr)
    {
        stderr.Should().NotContain("   at ").And.NotContain("Unhandled exception");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Should().ContainSingle(stderr);
        return lines[0];
    }

    private Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(string command) =>
        WorkerProcess.RunAsync(_install.Path, command.Replace("SAMPLE", Repository.SampleDay, StringComparison.Ordinal).Split(' '), Environment());

    private Dictionary<string, string?> Environment() => new()
    {
        ["DOTNET_ENVIRONMENT"] = EnvironmentName,
        ["Storage__DatabasePath"] = _state.File("worker.db"),
        ["Heartbeat__Path"] = _state.File("heartbeat.json"),
        ["Logs__Directory"] = _state.File("logs"),
    };
}
