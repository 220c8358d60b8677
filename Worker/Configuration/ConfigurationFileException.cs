using System.Text.Json;
using System.Text.RegularExpressions;

namespace KrxSignal.Worker.Configuration;

/// <summary>
/// A configuration file (appsettings*.json, nlog.config) cannot be read or parsed: exit 78 with one line
/// naming the file, the line when it is known, and the problem.
/// </summary>
internal sealed partial class ConfigurationFileException : Exception
{
    public ConfigurationFileException(string message)
        : base(message)
    {
    }

    public ConfigurationFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConfigurationFileException()
    {
    }

    public static ConfigurationFileException Create(string path, int? line, string problem, Exception? inner = null)
    {
        var message = $"{path}{(line is { } n ? $" line {n}" : "")}: {OneLine(problem)}";
        return inner is null ? new ConfigurationFileException(message) : new ConfigurationFileException(message, inner);
    }

    /// <summary>The JSON provider's "Failed to load configuration from file '...'" with its parser error inside.</summary>
    public static ConfigurationFileException FromJson(InvalidDataException e)
    {
        var path = QuotedPath().Match(e.Message) is { Success: true } m ? m.Groups[1].Value : "appsettings.json";
        var chain = Chain(e).ToList();
        if (chain.OfType<JsonException>().FirstOrDefault() is { } json)
        {
            // JsonException counts lines from 0; editors count from 1.
            var problem = LinePosition().Replace(json.Message, "").Trim();
            return Create(path, json.LineNumber is { } line ? (int)line + 1 : null, problem, e);
        }

        var innermost = chain[^1];
        return Create(path, null, innermost == e ? "cannot be read" : innermost.Message, e);
    }

    /// <summary>NLog's "Failed loading NLog configuration ... - Line: 2  FilePath: ..." (or a bad target, layout, rule).</summary>
    public static ConfigurationFileException FromNLog(string path, Exception e)
    {
        var chain = Chain(e).ToList();
        int? line = chain.Select(x => NLogLine().Match(x.Message)).FirstOrDefault(m => m.Success) is { } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
        var problem = NLogLine().Replace(chain[^1].Message, "").Replace("Failed loading NLog configuration.", "", StringComparison.Ordinal).Trim();
        if (chain[^1] != e && problem.Length < 40 && !string.IsNullOrWhiteSpace(e.Message))
        {
            problem = $"{NLogLine().Replace(e.Message, "").Replace("Failed loading NLog configuration.", "", StringComparison.Ordinal).Trim()} {problem}".Trim();
        }

        return Create(path, line ?? LineQuoting(path, problem), problem, e);
    }

    /// <summary>NLog names a bad type or layout in quotes but not its line: the first line of the file that holds it.</summary>
    private static int? LineQuoting(string path, string problem)
    {
        if (QuotedPath().Match(problem) is not { Success: true } quoted || !File.Exists(path))
        {
            return null;
        }

        var lines = File.ReadAllLines(path);
        var index = Array.FindIndex(lines, l => l.Contains(quoted.Groups[1].Value, StringComparison.Ordinal));
        return index < 0 ? null : index + 1;
    }

    private static string OneLine(string text) => string.Join(" ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (var x = (Exception?)e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }

    [GeneratedRegex(@"'([^']+)'")]
    private static partial Regex QuotedPath();

    [GeneratedRegex(@"\s*LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial Regex LinePosition();

    [GeneratedRegex(@"\s*-?\s*Line: (\d+)(\s+FilePath: .*)?")]
    private static partial Regex NLogLine();
}
