using System.Data.Common;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Signals;
using KrxSignal.Worker.Storage;
using Microsoft.Data.Sqlite;
using Spectre.Console;

namespace KrxSignal.Worker.Cli;

/// <summary>
/// `Worker signals [--day D | --since DURATION] [--db PATH] [--format table|json|csv]`: a KST day's signals (today by
/// default) or those of the last DURATION, with name, votes, articles and delivery. Reads the database only.
/// </summary>
internal static partial class SignalsCommand
{
    public static Command Create(WorkerHostSettings settings)
    {
        var day = new Option<string>("--day") { Description = "The KST day (yyyy-MM-dd); today by default." };
        var since = new Option<string>("--since") { Description = "Instead of a day: the last DURATION (90m, 2h, 1d, 1h30m or hh:mm:ss)." };
        var db = new Option<FileInfo>("--db") { Description = "The database; Storage:DatabasePath from the configuration by default." };
        var format = new Option<string>("--format") { DefaultValueFactory = _ => "table", Description = "table, json or csv." }.AcceptOnlyFromAmong("table", "json", "csv");
        var command = new Command("signals", "List signals with their names, votes, articles and delivery, in KST.") { day, since, db, format };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            DateOnly? date = null;
            if (parsed.GetValue(day) is { } dayText)
            {
                if (!DateOnly.TryParseExact(dayText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsedDay))
                {
                    await Console.Error.WriteLineAsync($"--day '{dayText}' is not a date: use yyyy-MM-dd, e.g. 2026-11-20.");
                    return ExitCodes.Usage;
                }

                date = parsedDay;
            }

            var path = parsed.GetValue(db)?.FullName ?? ConfiguredDatabasePath(settings);
            await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { NewLine = "\n" };
            return await RunAsync(
                path, date, parsed.GetValue(since), parsed.GetValue(format)!, TimeProvider.System.GetUtcNow(),
                stdout, Console.Error, isTerminal: !Console.IsOutputRedirected, cancellationToken);
        });
        return command;
    }

    /// <summary>The command without the parser: what tests drive. Writes the listing to <paramref name="output"/>.</summary>
    public static async Task<int> RunAsync(
        string databasePath, DateOnly? day, string? since, string format, DateTimeOffset now, TextWriter output, TextWriter error, bool isTerminal,
        CancellationToken cancellationToken)
    {
        if (day is not null && since is not null)
        {
            await error.WriteLineAsync("Give either --day or --since, not both.");
            return ExitCodes.Usage;
        }

        DateTimeOffset from, to;
        string title;
        if (since is not null)
        {
            if (ParseDuration(since) is not { } span)
            {
                await error.WriteLineAsync($"--since '{since}' is not a duration: use 90m, 2h, 1d, 1h30m or hh:mm:ss.");
                return ExitCodes.Usage;
            }

            (from, to) = (now - span, now.AddSeconds(1));
            title = $"since {SignalExport.KstText(from)}";
        }
        else
        {
            var date = day ?? Kst.DateOf(now);
            (from, to) = (Kst.StartOf(date), Kst.StartOf(date.AddDays(1)));
            title = $"on {date:yyyy-MM-dd} (KST)";
        }

        if (!File.Exists(databasePath))
        {
            await error.WriteLineAsync($"No database at {databasePath}: the Worker has not run with this configuration yet, or --db names another file.");
            return ExitCodes.Failed;
        }

        IReadOnlyList<StoredSignal> signals;
        try
        {
            var connections = new SqliteDatabase(databasePath);
            if (await SchemaProblemAsync(connections, cancellationToken) is { } problem)
            {
                await error.WriteLineAsync(problem);
                return ExitCodes.Failed;
            }

            signals = await new SignalHistory(connections).BetweenAsync(from, to, cancellationToken);
        }
        catch (DbException e)
        {
            await error.WriteLineAsync($"Cannot read signals from {databasePath}: {e.Message}");
            return ExitCodes.Failed;
        }

        switch (format)
        {
            case "json":
                await output.WriteLineAsync(SignalExport.Json(signals));
                break;
            case "csv":
                await output.WriteAsync(SignalExport.Csv(signals));
                break;
            default:
                Table(StatusTable.CreateConsole(output, isTerminal), signals, title);
                break;
        }

        await output.FlushAsync(cancellationToken);
        return ExitCodes.Ok;
    }

    /// <summary>"90m", "2h", "1d", "1h30m", "45s", or a TimeSpan ("01:30:00"); positive only.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && text.Contains(':', StringComparison.Ordinal))
        {
            return span > TimeSpan.Zero ? span : null;
        }

        var match = DurationPattern().Match(text.Trim());
        if (!match.Success || match.Length == 0)
        {
            return null;
        }

        double Part(string name) => match.Groups[name].Success ? double.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        var total = TimeSpan.FromDays(Part("d")) + TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m")) + TimeSpan.FromSeconds(Part("s"));
        return total > TimeSpan.Zero && total <= TimeSpan.FromDays(3660) ? total : null;
    }

    [GeneratedRegex(@"^(?:(?<d>\d+)d)?(?:(?<h>\d+)h)?(?:(?<m>\d+)m)?(?:(?<s>\d+)s)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    private static async Task<string?> SchemaProblemAsync(SqliteDatabase connections, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        var version = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        var latest = Migration.Embedded[^1].Version;
        return version >= latest
            ? null
            : $"{connections.DatabasePath} is at schema version {version}, this Worker reads version {latest}: start the Worker once with this file to bring it up to date.";
    }

    private static void Table(IAnsiConsole console, IReadOnlyList<StoredSignal> signals, string title)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "time (KST)", "ticker", "name", "action", "score", "confidence", "votes", "delivery" })
        {
            table.AddColumn(new TableColumn(new Text(column)));
        }

        foreach (var s in signals)
        {
            var votes = string.Join(", ", s.Votes.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Model} {v.Direction} {v.Confidence:0.00}")));
            table.AddRow(
                new Text(s.CreatedAt.ToKst().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                new Text(s.Ticker),
                new Text(s.Name ?? ""),
                new Text(s.Reversal ? $"{s.Action} (reversal)" : s.Action),
                new Text(s.Score.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture)),
                new Text(s.Confidence.ToString("0.00", CultureInfo.InvariantCulture)),
                new Text(string.Create(CultureInfo.InvariantCulture, $"{s.Votes.Count}: {votes}")),
                new Text(s.Delivery.LastError is { } e && s.Delivery.Status != "sent" ? $"{s.Delivery.Status} ({e})" : s.Delivery.Status));
        }

        if (signals.Count > 0)
        {
            console.Write(table);
        }

        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{signals.Count} signals {title}"));
    }

    private static string ConfiguredDatabasePath(WorkerHostSettings settings)
    {
        var builder = WorkerHost.CreateBuilder(settings with { ConsoleLogsToStandardError = true });
        var configured = builder.Configuration["Storage:DatabasePath"] is { Length: > 0 } path ? path : new StorageOptions().DatabasePath;
        return new AppPaths(builder.Environment.ContentRootPath).Resolve(configured);
    }
}
