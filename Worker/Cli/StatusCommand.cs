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
            var verdict = await ReadAsync(path, TimeProvider.System.GetUtcNow(), cancellationToken);
            await (parsed.GetValue(jsonOption) ? PrintJsonAsync(path, verdict) : PrintTextAsync(verdict));
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

    private static async Task PrintTextAsync(HeartbeatVerdict verdict)
    {
        var output = Console.Out;
        await output.WriteLineAsync($"Worker {verdict.Summary}");
        if (verdict.Heartbeat is not { } heartbeat)
        {
            return;
        }

        foreach (var reason in heartbeat.Reasons)
        {
            await output.WriteLineAsync($"  reason:   {reason}");
        }

        foreach (var warning in heartbeat.Warnings ?? [])
        {
            await output.WriteLineAsync($"  warning:  {warning}");
        }

        if (heartbeat.Window is not null)
        {
            await output.WriteLineAsync($"  window:   {heartbeat.Window}{(heartbeat.NextPoll is { } next ? $", next poll {next.ToOffset(TimeSpan.FromHours(9)):yyyy-MM-dd HH:mm} KST" : "")}");
        }

        foreach (var (name, endpoint) in heartbeat.Endpoints ?? new Dictionary<string, EndpointHealth>())
        {
            var stale = endpoint.ServedStale ? $", serving stale data ({endpoint.StaleAgeSeconds:0}s old)" : "";
            await output.WriteLineAsync($"  endpoint: {name,-15} last ok {endpoint.LastSuccess?.ToString("u") ?? "never"}, {endpoint.ConsecutiveFailures} failures in a row{stale}");
        }

        foreach (var (id, model) in heartbeat.Models ?? new Dictionary<string, ModelHealth>())
        {
            await output.WriteLineAsync($"  model:    {id,-15} {(model.Enabled ? "on" : "off")}, circuit {model.Circuit}, errors {model.ErrorRate:P0} of {model.RecentCalls}, budget ${model.BudgetUsedUsd:0.00} of ${model.DailyBudgetUsd:0.00}");
        }

        if (heartbeat.Backlog is { } backlog)
        {
            await output.WriteLineAsync($"  backlog:  {backlog.PendingArticles} articles to predict, {backlog.PendingNotifications} notifications to send, {backlog.FailedNotifications} failed");
        }

        foreach (var run in heartbeat.LastRuns ?? [])
        {
            await output.WriteLineAsync($"  last run: {run.Job,-10} {run.Status} at {run.StartedAt:u}, {run.Items} items{(run.Error is null ? "" : $": {run.Error}")}");
        }
    }
}
