using System.Globalization;
using System.Text;
using KrxSignal.Worker.Http;

namespace KrxSignal.Worker.Notify.Channels;

/// <summary>Turns a receiver's HTTP answer into a <see cref="DeliveryResult"/>: the one place that decides permanent versus transient.</summary>
internal static class ReceiverAnswer
{
    /// <summary>A receiver's answer is stored and logged this long at most.</summary>
    public const int MaxAnswerLength = 300;

    /// <param name="answer">What the receiver said (its body or Telegram's description), untrusted; it is escaped and bounded here.</param>
    public static DeliveryResult Classify(HttpResponseMessage response, string? answer, TimeSpan? retryAfter)
    {
        var status = (int)response.StatusCode;
        var described = Describe(response) + (string.IsNullOrWhiteSpace(answer) ? "" : ": " + Escape(answer));
        return status switch
        {
            >= 200 and < 300 => DeliveryResult.Success,
            >= 300 and < 400 => DeliveryResult.Failure($"{Describe(response)} to {LocationOf(response)}: a redirect is not a delivery (redirects are not followed)"),
            410 => new DeliveryResult(DeliveryVerdict.Gone, described),
            401 or 403 or 404 => new DeliveryResult(DeliveryVerdict.Blocked, described),
            408 or 429 or >= 500 => DeliveryResult.Failure(described, retryAfter),
            _ => new DeliveryResult(DeliveryVerdict.Rejected, described),
        };
    }

    /// <summary>The Retry-After header, read by the one shared reader and clamped to <paramref name="max"/>.</summary>
    public static TimeSpan? RetryAfterOf(HttpResponseMessage response, DateTimeOffset now, TimeSpan max) =>
        RetryAfter.Read(response.Headers.RetryAfter, now, max);

    public static string Describe(HttpResponseMessage response) =>
        string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");

    /// <summary>Control characters escaped, cut at <see cref="MaxAnswerLength"/>: a receiver's text cannot forge log lines or fill the database.</summary>
    public static string Escape(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxAnswerLength) + 8);
        foreach (var c in text.Trim())
        {
            if (builder.Length >= MaxAnswerLength)
            {
                return builder.Append('…').ToString();
            }

            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ when char.IsControl(c) => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }

    // Scheme, host and path only: a query string may carry a token.
    private static string LocationOf(HttpResponseMessage response) => response.Headers.Location switch
    {
        null => "no Location",
        { IsAbsoluteUri: true } location => Escape(location.GetLeftPart(UriPartial.Path)),
        var relative => Escape(relative.OriginalString.Split('?', 2)[0]),
    };
}
