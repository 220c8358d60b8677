using System.Globalization;
using KrxSignal.Worker.Health;
using Spectre.Console;
using KrxSignal.Worker.Calendar;

namespace KrxSignal.Worker.Cli;

/// <summary>
/// The human form of `Worker status`: the verdict first (scripts and people read that line), then the
/// heartbeat's sections as tables. Colour only on a terminal; piped or captured output is plain text.
/// </summary>
internal static class StatusTable
{

    /// <param name="isTerminal">False for a pipe, a file or a test: no colour codes, and a fixed wide layout instead of the terminal's width.</param>
    public static IAnsiConsole CreateConsole(TextWriter output, bool isTerminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!isTerminal)
        {
            console.Profile.Width = 160;
        }

        return console;
    }

    public static void Render(IAnsiConsole console, HeartbeatVerdict verdict, DateTimeOffset now)
    {
        console.Write(new Text($"Worker {verdict.Summary}", new Style(StateColour(verdict.State))));
        console.WriteLine();
        if (verdict.Heartbeat is not { } heartbeat)
        {
            return;
        }

        foreach (var reason in heartbeat.Reasons)
        {
            console.WriteLine($"  reason:  {reason}");
        }

        foreach (var warning in heartbeat.Warnings ?? [])
        {
            console.WriteLine($"  warning: {warning}");
        }

        var overview = new Grid().AddColumn().AddColumn();
        overview.AddRow("window", heartbeat.Window ?? "not reported yet");
        overview.AddRow("next poll", heartbeat.NextPoll is { } next ? $"{InKst(next)} KST (in {HeartbeatVerdict.FormatAge(Positive(next - now))})" : "none scheduled");
        overview.AddRow("started", $"{InKst(heartbeat.StartedAt)} KST");
        if (heartbeat.Backlog is { } backlog)
        {
            var oldest = backlog.OldestPendingNotificationAgeSeconds is { } age ? $", oldest {HeartbeatVerdict.FormatAge(TimeSpan.FromSeconds(age))}" : "";
            overview.AddRow("backlog", $"{backlog.PendingArticles} articles to predict, {backlog.PendingNotifications} notifications to send{oldest}, {backlog.FailedNotifications} failed");
        }

        console.Write(overview);
        ClusterStatus.Render(console, heartbeat.Cluster, now);

        if (heartbeat.Endpoints is { Count: > 0 } endpoints)
        {
            var table = NewTable("endpoint", "last success", "failures in a row", "serving", "last error");
            foreach (var (name, endpoint) in endpoints)
            {
                table.AddRow(
                    Plain(name),
                    Plain(endpoint.LastSuccess is { } ok ? $"{HeartbeatVerdict.FormatAge(Positive(now - ok))} ago" : "never"),
                    Plain(endpoint.ConsecutiveFailures.ToString(CultureInfo.InvariantCulture)),
                    Plain(endpoint.ServedStale ? $"stale, {endpoint.StaleAgeSeconds ?? 0:0}s old" : "fresh"),
                    Plain(endpoint.LastError ?? ""));
            }

            console.Write(table);
        }

        if (heartbeat.Models is { Count: > 0 } models)
        {
            var table = NewTable("model", "enabled", "circuit", "errors", "budget today");
            foreach (var (id, model) in models)
            {
                table.AddRow(
                    Plain(id),
                    Plain(model.Enabled ? "yes" : "no"),
                    Plain(model.Negotiated is null ? model.Circuit : $"{model.Circuit} ({model.Negotiated})"),
                    Plain(string.Create(CultureInfo.InvariantCulture, $"{model.ErrorRate:P0} of {model.RecentCalls}")),
                    Plain(string.Create(CultureInfo.InvariantCulture, $"${model.BudgetUsedUsd:0.00} of ${model.DailyBudgetUsd:0.00}")));
            }

            console.Write(table);
        }

        if (heartbeat.Signals is { } signals)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"signals today: {signals.Count} (`Worker signals` lists them)"));
            if (signals.Last.Count > 0)
            {
                var table = NewTable("signal", "ticker", "name", "action", "confidence", "delivery");
                foreach (var signal in signals.Last)
                {
                    table.AddRow(
                        Plain($"{InKst(signal.CreatedAt)} KST"),
                        Plain(signal.Ticker),
                        Plain(signal.Name ?? ""),
                        Plain(signal.Reversal ? $"{signal.Action} (reversal)" : signal.Action),
                        Plain(signal.Confidence.ToString("0.00", CultureInfo.InvariantCulture)),
                        Plain(signal.Delivery));
                }

                console.Write(table);
            }
        }

        if (heartbeat.LastRuns is { Count: > 0 } runs)
        {
            var table = NewTable("job", "status", "started", "took", "items", "error");
            foreach (var run in runs)
            {
                table.AddRow(
                    Plain(run.Job),
                    Plain(run.Status),
                    Plain($"{InKst(run.StartedAt)} KST"),
                    Plain(run.FinishedAt is { } finished ? string.Create(CultureInfo.InvariantCulture, $"{(finished - run.StartedAt).TotalSeconds:0.0}s") : "running"),
                    Plain(run.Items.ToString(CultureInfo.InvariantCulture)),
                    Plain(run.Error ?? ""));
            }

            console.Write(table);
        }
    }

    private static Table NewTable(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Plain(column)));
        }

        return table;
    }

    // Text, not markup: upstream error messages may contain [brackets].
    private static Text Plain(string text) => new(text);

    private static string InKst(DateTimeOffset time) => time.ToKst().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static TimeSpan Positive(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span;

    private static Color StateColour(string state) => state switch
    {
        "healthy" => Color.Green,
        "degraded" => Color.Yellow,
        _ => Color.Red,
    };
}
