using System.Text;
using KrxSignal.Worker.Signals;

namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>
/// Text for Telegram's HTML parse mode: only &lt;, &gt;, &amp; (and " inside an attribute) need escaping, every
/// upstream string is cleaned of control characters first, and a message is built line by line so it never
/// exceeds the Bot API's 4096 characters and never ends inside a tag or an entity.
/// </summary>
internal sealed class TelegramHtml
{
    /// <summary>The Bot API rejects a longer text.</summary>
    public const int MaxLength = 4096;

    private readonly StringBuilder _text = new();
    private readonly int _limit;

    public TelegramHtml(int limit = MaxLength) => _limit = limit;

    public int Length => _text.Length;

    public static string Escape(string? text, int maxLength = 300) =>
        (TextExcerpt.Of(text, maxLength) ?? "").Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>A link for http(s) addresses only: anything else (javascript:, tg:, a typo) is shown as plain text or not at all.</summary>
    public static string Link(string? url, string label)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || url!.Length > 500)
        {
            return label;
        }

        var href = Escape(uri.AbsoluteUri, 500).Replace("\"", "&quot;", StringComparison.Ordinal);
        return $"<a href=\"{href}\">{label}</a>";
    }

    /// <summary>Appends a line when it fits with <paramref name="reserve"/> characters to spare.</summary>
    /// <returns>False when it did not fit; nothing was appended.</returns>
    public bool TryAppendLine(string line, int reserve = 0)
    {
        var needed = (_text.Length == 0 ? 0 : 1) + line.Length;
        if (_text.Length + needed + reserve > _limit)
        {
            return false;
        }

        if (_text.Length > 0)
        {
            _text.Append('\n');
        }

        _text.Append(line);
        return true;
    }

    public override string ToString() => _text.ToString();
}
