using System.Globalization;
using System.Text;

namespace KrxSignal.Worker.Logging;

/// <summary>
/// Makes text from outside (ids, titles, tickers, answers, exception messages) safe to write into a log:
/// control characters and line separators become visible escapes, so nothing from outside can start a
/// log line or send a terminal escape sequence. Backslashes stay as they are: Windows paths must stay readable.
/// </summary>
internal static class LogText
{
    public static void Escape(StringBuilder builder, int from, bool keepLineBreaks)
    {
        for (var i = from; i < builder.Length; i++)
        {
            var c = builder[i];
            if (!NeedsEscape(c))
            {
                continue;
            }

            string replacement;
            if (keepLineBreaks && c == '\n')
            {
                // A kept line break is always followed by indentation, so the next line cannot look like a record.
                replacement = "\n    ";
            }
            else if (keepLineBreaks && c == '\r' && i + 1 < builder.Length && builder[i + 1] == '\n')
            {
                replacement = "";
            }
            else
            {
                replacement = c switch
                {
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                };
            }

            builder.Remove(i, 1).Insert(i, replacement);
            i += replacement.Length - 1;
        }
    }

    public static string Escape(string text)
    {
        if (!text.Any(NeedsEscape))
        {
            return text;
        }

        var builder = new StringBuilder(text, text.Length + 16);
        Escape(builder, 0, keepLineBreaks: false);
        return builder.ToString();
    }

    /// <summary>C0 and C1 controls (ESC, CR, LF, NEL, ...) and the Unicode line and paragraph separators.</summary>
    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
