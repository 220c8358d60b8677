using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KrxSignal.Worker.Notify.Channels;

/// <summary>
/// The Standard Webhooks headers (standardwebhooks.com): a stable message id, the attempt's unix time, and
/// <c>v1,</c> + base64 HMAC-SHA256 of <c>id.timestamp.body</c> per secret, space-separated. The timestamp is inside
/// the signed content, so a receiver that rejects old timestamps cannot be fed a captured request again.
/// </summary>
internal static class StandardWebhook
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    public static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <returns>The signature header's value, or null when there is no key.</returns>
    public static string? Sign(string id, string timestamp, ReadOnlySpan<byte> body, IReadOnlyList<byte[]> keys)
    {
        if (keys.Count == 0)
        {
            return null;
        }

        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return string.Join(' ', keys.Select(key => "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content))));
    }
}
