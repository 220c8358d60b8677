using System.Globalization;
using System.Text.Json;
using KrxSignal.Worker.Predictions.Models;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// Reads a model's reply tolerantly, then validates it strictly: one JSON object with direction, impact,
/// confidence and reasoning. Known wrappings and synonyms are repaired and noted on the answer
/// (<see cref="ModelAnswer.Normalised"/>); anything else (prose, a missing field, an unknown value) is a
/// failed attempt with the reason, because a half-understood answer would vote as if it were sure.
/// </summary>
public static class AnswerParser
{
    public static ModelAnswer Parse(string? content, int? tokensIn, int? tokensOut, string? reasoning = null)
    {
        if (string.IsNullOrWhiteSpace(content) && string.IsNullOrWhiteSpace(reasoning))
        {
            throw Invalid("empty reply");
        }

        var changes = new List<string>();
        var json = AnswerText.Extract(content, reasoning, changes, out var rest)
            ?? throw Invalid($"reply is not a JSON object: \"{Excerpt(rest)}\"");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw Invalid($"reply is not valid JSON ({e.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            var direction = Label(root, "direction", AnswerVocabulary.Direction, "is not up, down or neutral", changes);
            var impact = Label(root, "impact", AnswerVocabulary.Impact, "is not high, medium or low", changes);
            var confidence = Confidence(root, changes);
            var reasoningText = RequiredString(root, "reasoning");
            return new ModelAnswer(direction, impact, confidence, reasoningText, tokensIn, tokensOut)
            {
                Normalised = changes.Count == 0 ? null : string.Join("; ", changes),
            };
        }
    }

    private static string Label(JsonElement root, string name, Func<string, string?> map, string problem, List<string> changes)
    {
        var raw = RequiredString(root, name);
        var label = map(raw) ?? throw Invalid($"{name} '{Excerpt(raw)}' {problem}");
        if (!string.Equals(raw, label, StringComparison.Ordinal))
        {
            changes.Add($"{name} {Excerpt(raw)}→{label}");
        }

        return label;
    }

    private static double Confidence(JsonElement root, List<string> changes)
    {
        if (!root.TryGetProperty("confidence", out var element) || element.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
        {
            throw Invalid("confidence is missing or not a number");
        }

        var raw = element.ValueKind == JsonValueKind.Number ? element.GetRawText() : element.GetString()!;
        var value = AnswerVocabulary.Confidence(raw, out var percent)
            ?? throw Invalid($"confidence '{Excerpt(raw)}' is not a number");
        if (value is < 0 or > 1)
        {
            throw Invalid(string.Create(CultureInfo.InvariantCulture, $"confidence {raw} is outside 0..1"));
        }

        if (percent || element.ValueKind == JsonValueKind.String)
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"confidence {Excerpt(element.GetRawText())}→{value}"));
        }

        return value;
    }

    private static string RequiredString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Invalid($"{name} is missing or not a string");

    private static ModelFailedException Invalid(string reason) => new($"invalid answer: {reason}");

    private static string Excerpt(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 60), "…");
}
