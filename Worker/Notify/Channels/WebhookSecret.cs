using System.Security.Cryptography;
using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Notify.Channels;

/// <summary>
/// A Standard Webhooks signing secret: <c>whsec_</c> followed by base64 of 24 to 64 random bytes. The signature is
/// keyed by the decoded bytes, not the text, so every Standard Webhooks library accepts the same secret string.
/// </summary>
internal static class WebhookSecret
{
    public const string Prefix = "whsec_";
    private const int MinBytes = 24;
    private const int MaxBytes = 64;

    /// <summary>A fresh secret of 32 random bytes.</summary>
    public static string New() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <returns>The key bytes, or null when <paramref name="secret"/> is not a valid secret.</returns>
    public static byte[]? TryDecode(string? secret)
    {
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var encoded = secret[Prefix.Length..];
        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(encoded, buffer, out var written) && written is >= MinBytes and <= MaxBytes ? buffer[..written] : null;
    }

    /// <summary>Names the key and what is wrong; never echoes the value.</summary>
    public static void Validate(OptionsProblems problems, string key, string? secret)
    {
        if (!string.IsNullOrWhiteSpace(secret) && TryDecode(secret) is null)
        {
            problems.Add(key, $"must be a Standard Webhooks secret: '{Prefix}' followed by base64 of {MinBytes} to {MaxBytes} bytes (make one with `Worker notify new-secret`)");
        }
    }
}
