using System.Net;
using System.Net.Sockets;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// Whether a model's endpoint is someone else's metered service (hosted) or a server on this machine or network
/// (local): doctor warns about a hosted model with no cap that can bite.
/// </summary>
public static class ModelHosting
{
    private static readonly string[] LocalSuffixes = [".local", ".lan", ".internal", ".home.arpa", ".localhost"];

    public static bool IsHosted(string? baseUrl)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var host = uri.IdnHost;
        if (uri.IsLoopback || !host.Contains('.', StringComparison.Ordinal) || LocalSuffixes.Any(s => host.EndsWith(s, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        return !IPAddress.TryParse(host.Trim('[', ']'), out var address) || !IsPrivate(address);
    }

    private static bool IsPrivate(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || IPAddress.IsLoopback(address);
        }

        var b = address.GetAddressBytes();
        return b[0] == 10 || b[0] == 127 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
    }
}
