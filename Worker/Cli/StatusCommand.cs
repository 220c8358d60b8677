using System.CommandLine;
using System.Text.Json;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Hosting;
using Microsoft.Extensions.Configuration;

namespace KrxSignal.Worker.Cli;

/// <summary>`Worker status`: reads the heartbeat file; exit 0 healthy, 1 degraded, 2 unhealthy, stale or missing.</summary>
internal static class StatusCommand
{
    public static Command Create(WorkerHostSettings settings)
    {
        var heartbeatOption = new Option<FileInfo>("--heartbeat") { Description = "The heartbeat file; Heartbeat:Path from the configuration by default." };
        var jsonOption = new Option<bool>("--json") { Description = "Print the verdict and the heartbeat as JSON." };
        var command = new Command("status", "Report the daemon's health from its heartbeat file.") { heartbeatOption, jsonOption };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var path = parsed.GetValue(heartbeatOption)?.FullName ?? ConfiguredHeartbeatPath(settings);
            var now = TimeProvider.System.GetUtcNow();
            var verdict = await ReadAsync(path, now, cancellationToken);
            await (parsed.GetValue(jsonOption) ? PrintJsonAsync(path, verdict) : PrintTextAsync(verdict, now));
            return verdict.ExitCode;
        });
        return command;
    }

    public static async Task<HeartbeatVerdict> ReadAsync(string path, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var heartbeat = await HeartbeatFile.ReadAsync(path, cancellationToken);
            return heartbeat is null ? HeartbeatVerdict.Missing(path) : HeartbeatVerdict.Judge(heartbeat, now);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return HeartbeatVerdict.Unreadable(path, e.Message);
        }
    }

    private static string ConfiguredHeartbeatPath(WorkerHostSettings settings)
    {
        var builder = WorkerHost.CreateBuilder(settings);
        var configured = builder.Configuration["Heartbeat:Path"] is { Length: > 0 } path ? path : new HeartbeatOptions().Path;
        return new AppPaths(builder.Environment.ContentRootPath).Resolve(configured);
    }

    private static Task PrintJsonAsync(string path, HeartbeatVerdict verdict) =>
        Console.Out.WriteLineAsync(JsonSerializer.Serialize(
            new { status = verdict.State, exitCode = verdict.ExitCode, summary = verdict.Summary, ageSeconds = verdict.AgeSeconds, heartbeatPath = path, heartbeat = verdict.Heartbeat },
            HeartbeatFile.JsonOptions));

    private static Task PrintTextAsync(HeartbeatVerdict verdict, DateTimeOffset now)
    {
        StatusTable.Render(StatusTable.CreateConsole(Console.Out, isTerminal: !Console.IsOutputRedirected), verdict, now);
        return Console.Out.FlushAsync();
    }
}
