using System.Text;
using NLog;
using NLog.Config;
using NLog.LayoutRenderers;

namespace KrxSignal.Worker.Logging;

/// <summary>
/// <c>${journal-priority}</c>: under systemd, the <c>&lt;N&gt;</c> syslog priority journald reads from the start of a
/// console line (error 3, warning 4, info 6, debug 7), so <c>journalctl -p warning</c> filters by level; elsewhere
/// nothing. NLog has no such renderer, and the host's UseSystemd only changes Microsoft's console logger.
/// </summary>
[LayoutRenderer(Name)]
[ThreadAgnostic]
internal sealed class JournalPriorityLayoutRenderer(bool enabled) : LayoutRenderer
{
    public const string Name = "journal-priority";

    public JournalPriorityLayoutRenderer()
        : this(UnderJournal())
    {
    }

    /// <summary>systemd sets JOURNAL_STREAM for a service whose output is connected to the journal.</summary>
    public static bool UnderJournal() => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));

    public static int Priority(NLog.LogLevel level) => level.Ordinal switch
    {
        >= 5 => 2, // fatal (Critical): crit
        4 => 3,    // error: err
        3 => 4,    // warning
        2 => 6,    // info
        _ => 7,    // debug, trace
    };

    protected override void Append(StringBuilder builder, LogEventInfo logEvent)
    {
        if (enabled)
        {
            builder.Append('<').Append(Priority(logEvent.Level)).Append('>');
        }
    }
}
