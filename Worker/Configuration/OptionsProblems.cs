using System.Globalization;

namespace KrxSignal.Worker.Configuration;

/// <summary>
/// Collects option problems as "Section:Key problem" so the operator is told which key to fix.
/// Values are echoed only for numbers and durations: strings may be secrets or URLs with credentials.
/// </summary>
public sealed class OptionsProblems(string section)
{
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> All => _problems;

    public void Add(string key, string problem) => _problems.Add($"{section}:{key} {problem}");

    public void Required(string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(key, "is required");
        }
    }

    public void InRange(string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            Add(key, string.Create(CultureInfo.InvariantCulture, $"must be between {min:c} and {max:c} (got {value:c})"));
        }
    }

    public void InRange(string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            Add(key, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max} (got {value})"));
        }
    }

    public void InRange(string key, double value, double min, double max)
    {
        if (double.IsNaN(value) || value < min || value > max)
        {
            Add(key, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max} (got {value})"));
        }
    }

    public void AbsoluteHttpUrl(string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value) && !IsHttpUrl(value))
        {
            Add(key, "must be an absolute http:// or https:// URL");
        }
    }

    public void Nested(string prefix, Action<OptionsProblems> validate)
    {
        var inner = new OptionsProblems($"{section}:{prefix}");
        validate(inner);
        _problems.AddRange(inner._problems);
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
