using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Configuration;

/// <summary>The defaults live in the options classes; README's configuration table must say the same.</summary>
public sealed partial class ReadmeDefaultsTests
{
    [Fact]
    public void ConfigurationTable_EveryBacktickedDefault_EqualsTheOptionsClassDefault()
    {
        var sections = typeof(IValidatedOptions).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IValidatedOptions).IsAssignableFrom(t))
            .ToDictionary(t => (string)t.GetProperty(nameof(IValidatedOptions.Section), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!, t => t);
        var compared = 0;
        var mismatches = new List<string>();

        foreach (var (key, documented) in DocumentedDefaults(File.ReadAllLines(Path.Combine(Repository.Root, "README.md"))))
        {
            var path = key.Split(':');
            if (!sections.TryGetValue(path[0], out var type))
            {
                continue; // not an options section (e.g. Clock:StartAt, read once at start-up)
            }

            if (!TryRead(Activator.CreateInstance(type), path.Skip(1), out var value))
            {
                mismatches.Add($"{key}: no such setting");
                continue;
            }

            compared++;
            if (!Same(value, documented))
            {
                mismatches.Add($"{key}: README says {documented}, the code {Text(value)}");
            }
        }

        mismatches.Should().BeEmpty();
        compared.Should().BeGreaterThan(20, "the table documents most settings");
    }

    private static bool TryRead(object? instance, IEnumerable<string> path, out object? value)
    {
        value = instance;
        foreach (var name in path)
        {
            if (value?.GetType().GetProperty(name) is not { } property)
            {
                return false;
            }

            value = property.GetValue(value);
        }

        return true;
    }

    /// <summary>Rows like "| `Heartbeat:Path` / `:Interval` | `data/heartbeat.json` / `00:00:15` | …": one pair per key.</summary>
    private static IEnumerable<(string Key, string Value)> DocumentedDefaults(IEnumerable<string> lines)
    {
        foreach (var line in lines.Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            var keys = cells[1].Split(" / ");
            var values = cells[2].Split(" / ");
            if (keys.Length != values.Length || keys.Any(k => k.Contains(":N:", StringComparison.Ordinal)))
            {
                continue;
            }

            var parent = "";
            for (var i = 0; i < keys.Length; i++)
            {
                if (Backticked().Match(keys[i]) is not { Success: true } k || Backticked().Match(values[i]) is not { Success: true } v)
                {
                    break;
                }

                var key = k.Groups[1].Value;
                key = key.StartsWith(':') ? parent + key : key;
                parent = key[..key.LastIndexOf(':')];
                yield return (key, v.Groups[1].Value);
            }
        }
    }

    private static bool Same(object? value, string documented) => value switch
    {
        double d => double.Parse(documented, CultureInfo.InvariantCulture) == d,
        decimal m => decimal.Parse(documented, CultureInfo.InvariantCulture) == m,
        _ => string.Equals(Text(value), documented, StringComparison.OrdinalIgnoreCase),
    };

    private static string Text(object? value) => value switch
    {
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        null => "null",
        _ => value.ToString() ?? "",
    };

    [GeneratedRegex("^`([^`]+)`$")]
    private static partial Regex Backticked();
}
