using System.Text;

namespace KrxSignal.Worker.Signals;

/// <summary>
/// Upstream and model text made safe to show: control characters (C0, C1) and bidirectional overrides removed
/// (they can reorder or hide what a person reads), whitespace runs collapsed, and the result shortened.
/// </summary>
public static class TextExcerpt
{
    public static string? Of(string? text, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var clean = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = clean.Length > 0;
                continue;
            }

            if (char.IsControl(c) || IsBidiControl(c))
            {
                continue;
            }

            if (pendingSpace)
            {
                clean.Append(' ');
                pendingSpace = false;
            }

            clean.Append(c);
            if (clean.Length > maxLength)
            {
                break;
            }
        }

        if (clean.Length == 0)
        {
            return null;
        }

        if (clean.Length <= maxLength)
        {
            return clean.ToString();
        }

        // Never split a surrogate pair: a lone half is not text.
        var cut = maxLength - 1;
        if (cut > 0 && char.IsHighSurrogate(clean[cut - 1]))
        {
            cut--;
        }

        return clean.ToString(0, cut).TrimEnd() + "…";
    }

    private static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C';
}
