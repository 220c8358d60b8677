using System.Globalization;
using System.Text.Json;
using KrxSignal.Worker.Predictions.Models;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// Strict reading of a model's reply: one JSON object with direction, impact, confidence and reasoning.
/// Anything else (prose, a code fence, a missing field, an unknown value) is a failed attempt with the
/// reason, because a half-understood answer would vote in the consensus as if it were sure.
/// </summary>
public static class AnswerParser
{
    public static ModelAnswer Parse(string? content, int? tokensIn, int? tokensOut)
    {
        var text = content?.Trim() ?? "";
        if (text.Length == 0)
        {
            throw Invalid("empty reply");
        }

        if (text[0] != '{')
        {
            throw Invalid($"reply is not a JSON object: \"{Excerpt(text)}\"");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw Invalid($"reply is not valid JSON ({e.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            var direction = RequiredString(root, "direction");
            if (!ModelAnswer.Directions.Contains(direction))
            {
                throw Invalid($"direction '{Excerpt(direction)}' is not up, down or neutral");
            }

            var impact = RequiredString(root, "impact");
            if (!ModelAnswer.Impacts.Contains(impact))
            {
                throw Invalid($"impact '{Excerpt(impact)}' is not high, medium or low");
            }

            if (!root.TryGetProperty("confidence", out var confidenceElement) || confidenceElement.ValueKind != JsonValueKind.Number)
            {
                throw Invalid("confidence is missing or not a number");
            }

            var confidence = confidenceElement.GetDouble();
            if (double.IsNaN(confidence) || confidence < 0 || confidence > 1)
            {
                throw Invalid(string.Create(CultureInfo.InvariantCulture, $"confidence {confidence} is outside 0..1"));
            }

            var reasoning = RequiredString(root, "reasoning");
            return new ModelAnswer(direction, impact, confidence, reasoning, tokensIn, tokensOut);
        }
    }

    private static string RequiredString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Invalid($"{name} is missing or not a string");

    private static ModelFailedException Invalid(string reason) => new($"invalid answer: {reason}");

    private static string Excerpt(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 60), "…");
}
