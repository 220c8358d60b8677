using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace KrxSignal.Worker.Configuration;

/// <summary>
/// What is suspicious in the configuration though every value is valid: keys under our sections that nothing
/// reads (a misspelt <c>StockApi:BaseUlr</c> leaves the real key at its default), and secrets written into a file.
/// Each finding names the key, never a value.
/// </summary>
internal static partial class ConfigurationKeyCheck
{
    /// <summary>Keys whose values are secrets: they belong in the environment, not in a file that is copied and committed.</summary>
    public static readonly IReadOnlyList<string> SecretKeys = ["StockApi:ApiKey", "Notify:Webhook:Secret", "Notify:Telegram:BotToken"];

    public const string ConnectionStringKey = "Storage:ConnectionString";

    public static IReadOnlyList<string> UnknownKeys(IConfiguration configuration, KnownKeys known)
    {
        var found = new List<string>();
        foreach (var (name, node) in known.Sections)
        {
            var section = configuration.GetSection(name);
            if (section.Exists())
            {
                Walk(section, node, found);
            }
        }

        return found;
    }

    public static IReadOnlyList<string> SecretsInFiles(IConfiguration configuration)
    {
        var found = new List<string>();
        if (configuration is not IConfigurationRoot root)
        {
            return found;
        }

        foreach (var provider in root.Providers.OfType<FileConfigurationProvider>())
        {
            var file = provider.Source.Path is { } path ? provider.Source.FileProvider?.GetFileInfo(path).PhysicalPath ?? path : "a configuration file";
            foreach (var key in SecretKeys)
            {
                if (provider.TryGet(key, out var value) && !string.IsNullOrWhiteSpace(value))
                {
                    found.Add(SecretMessage(key, file));
                }
            }

            if (provider.TryGet(ConnectionStringKey, out var connection) && connection is not null && PasswordPart().IsMatch(connection))
            {
                found.Add(SecretMessage($"{ConnectionStringKey} (its password)", file, ConnectionStringKey));
            }
        }

        return found;
    }

    private static string SecretMessage(string what, string file, string? key = null) =>
        $"{what} is set in {file}: it is used, but a secret belongs in the environment ({(key ?? what).Replace(":", "__", StringComparison.Ordinal)}, or the service's environment file)";

    private static void Walk(IConfigurationSection section, KeyNode node, List<string> found)
    {
        foreach (var child in section.GetChildren())
        {
            switch (node.Kind)
            {
                case KeyKind.Leaf:
                    found.Add($"{child.Path} is not a setting: {section.Path} is a single value");
                    break;
                case KeyKind.Array when int.TryParse(child.Key, out _):
                    Walk(child, node.Element!, found);
                    break;
                case KeyKind.Array:
                    found.Add($"{child.Path} is not a setting: {section.Path} is a list ({section.Path}:0, {section.Path}:1, ...)");
                    break;
                case KeyKind.Map:
                    Walk(child, node.Element!, found);
                    break;
                case KeyKind.Section when node.Children.TryGetValue(child.Key, out var inner):
                    Walk(child, inner, found);
                    break;
                default:
                    found.Add(Closest(child.Key, node.Children.Keys) is { } suggestion
                        ? $"{child.Path} is not a setting the Worker reads (did you mean {section.Path}:{suggestion}?)"
                        : $"{child.Path} is not a setting the Worker reads");
                    break;
            }
        }
    }

    /// <summary>The known key nearest by edit distance, when it is near enough to be a slip of the keyboard.</summary>
    public static string? Closest(string key, IEnumerable<string> candidates)
    {
        var best = candidates
            .Select(c => (Key: c, Distance: Distance(key.ToUpperInvariant(), c.ToUpperInvariant())))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Key is not null && best.Distance <= Math.Max(2, key.Length / 3) ? best.Key : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    [GeneratedRegex(@"(^|;)\s*(password|pwd)\s*=\s*[^;\s]", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPart();
}
