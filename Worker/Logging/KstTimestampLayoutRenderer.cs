using System.Globalization;
using System.Text;
using KrxSignal.Worker.Calendar;
using NLog;
using NLog.Config;
using NLog.LayoutRenderers;

namespace KrxSignal.Worker.Logging;

/// <summary>
/// <c>${kst-date}</c>: the event's time in KST as ISO 8601 with its offset, <c>2026-11-20T09:14:00.123+09:00</c>.
/// KST rather than the host's zone: the messages, the schedule and the market all speak KST, and a server
/// kept on UTC would otherwise log 00:14 for the 09:14 poll. The offset keeps every line unambiguous.
/// </summary>
[LayoutRenderer(Name)]
[ThreadAgnostic]
internal sealed class KstTimestampLayoutRenderer : LayoutRenderer
{
    public const string Name = "kst-date";

    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffzzz";

    public static string Render(DateTime timestamp) =>
        new DateTimeOffset(timestamp.ToUniversalTime(), TimeSpan.Zero).ToKst().ToString(Format, CultureInfo.InvariantCulture);

    protected override void Append(StringBuilder builder, LogEventInfo logEvent) => builder.Append(Render(logEvent.TimeStamp));
}
