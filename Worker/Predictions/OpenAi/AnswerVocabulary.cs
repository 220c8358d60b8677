using System.Globalization;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// The words models use for our labels, mapped case-insensitively: the earlier system's models answered
/// positive/negative, others bullish, 상승 or Up. A word not listed is not guessed at.
/// </summary>
public static class AnswerVocabulary
{
    private static readonly Dictionary<string, string> Directions = Map(
        ("up", ["up", "positive", "bullish", "buy", "long", "rise", "상승", "긍정", "호재"]),
        ("down", ["down", "negative", "bearish", "sell", "short", "fall", "하락", "부정", "악재"]),
        ("neutral", ["neutral", "hold", "flat", "none", "mixed", "중립", "보합"]));

    private static readonly Dictionary<string, string> Impacts = Map(
        ("high", ["high", "strong", "major", "높음"]),
        ("medium", ["medium", "moderate", "중간"]),
        ("low", ["low", "weak", "minor", "낮음"]));

    public static string? Direction(string word) => Directions.GetValueOrDefault(word.Trim().ToLowerInvariant());

    public static string? Impact(string word) => Impacts.GetValueOrDefault(word.Trim().ToLowerInvariant());

    /// <summary>0..1 as is; 1 &lt; x ≤ 100 and any "N%" read as a percentage.</summary>
    /// <returns>The confidence, or null when the value is not a number.</returns>
    public static double? Confidence(string text, out bool percent)
    {
        var trimmed = text.Trim();
        percent = trimmed.EndsWith('%');
        if (percent)
        {
            trimmed = trimmed[..^1].TrimEnd();
        }

        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || double.IsInfinity(value))
        {
            return null;
        }

        if (percent || (value > 1 && value <= 100))
        {
            percent = true;
            return value / 100;
        }

        return value;
    }

    private static Dictionary<string, string> Map(params (string Label, string[] Words)[] groups) =>
        groups.SelectMany(g => g.Words.Select(w => (Word: w.ToLowerInvariant(), g.Label)))
            .ToDictionary(p => p.Word, p => p.Label, StringComparer.Ordinal);
}
