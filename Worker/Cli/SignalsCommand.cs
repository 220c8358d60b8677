using System.Data.Common;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Signals;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Logging.Abstractions;
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
        var db = new Option<FileInfo>("--db") { Description = "An SQLite database file; the configured database (Storage:DatabasePath, or PostgreSQL with Storage:Provider=postgres) by default." };
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

            var source = SignalsSource.Resolve(settings, parsed.GetValue(db)?.FullName);
            await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { NewLine = "\n" };
            return await RunAsync(
                source, date, parsed.GetValue(since), parsed.GetValue(format)!, TimeProvider.System.GetUtcNow(),
                stdout, Console.Error, isTerminal: !Console.IsOutputRedirected, cancellationToken);
        });
        return command;
    }

    /// <summary>The command without the parser over an SQLite file (the --db form).</summary>
    public static Task<int> RunAsync(
        string databasePath, DateOnly? day, string? since, string format, DateTimeOffset now, TextWriter output, TextWriter error, bool isTerminal,
        CancellationToken cancellationToken) =>
        RunAsync(SignalsSource.File(databasePath), day, since, format, now, output, error, isTerminal, cancellationToken);

    /// <summary>The command without the parser: what tests drive. Writes the listing to <paramref name="output"/>.</summary>
    public static async Task<int> RunAsync(
        SignalsSource source, DateOnly? day, string? since, string format, DateTimeOffset now, TextWriter output, TextWriter error, bool isTerminal,
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

        if (source.Problem is { } misconfigured)
        {
            await error.WriteLineAsync(misconfigured);
            return ExitCodes.Configuration;
        }

        if (source.Provider == StorageProvider.Sqlite && !File.Exists(source.Target))
        {
            await error.WriteLineAsync($"No database at {source.Target}: the Worker has not run with this configuration yet, or --db names another file.");
            return ExitCodes.Failed;
        }

        if (await ReadAsync(source, from, to, error, cancellationToken) is not { } signals)
        {
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

    /// <returns>The signals, or null once the reason they cannot be read is written to <paramref name="error"/>.</returns>
    private static async Task<IReadOnlyList<StoredSignal>?> ReadAsync(SignalsSource source, DateTimeOffset from, DateTimeOffset to, TextWriter error, CancellationToken cancellationToken)
    {
        Database connections = source.Provider == StorageProvider.Postgres ? new PostgresDatabase(source.Target) : new SqliteDatabase(source.Target);
        try
        {
            var schema = new SchemaMigrator(connections, NullLogger<SchemaMigrator>.Instance);
            var version = await schema.CurrentVersionAsync(cancellationToken);
            if (version < schema.LatestVersion)
            {
                await error.WriteLineAsync(
                    $"{connections.Location} is at schema version {version}, this Worker reads version {schema.LatestVersion}: start the Worker once with this database to bring it up to date.");
                return null;
            }

            return await new SignalHistory(connections).BetweenAsync(from, to, cancellationToken);
        }
        catch (DbException e)
        {
            await error.WriteLineAsync($"Cannot read signals from {connections.Location}: {e.Message}");
            return null;
        }
        finally
        {
            if (connections is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
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
}
