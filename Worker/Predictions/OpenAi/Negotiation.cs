using System.Net;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// Reads a provider's refusal of a parameter. A 400 that names temperature drops it (OpenAI's reasoning models:
/// <c>unsupported_value</c>); one that names response_format or json_schema steps the format one place down
/// (LM Studio: "'response_format.type' must be 'json_schema' or 'text'"). Anything else is an ordinary failure.
/// </summary>
public static class Negotiation
{
    /// <returns>The settings to try instead, or null when the refusal is not about a parameter we can give up.</returns>
    public static ModelSettings? StepFor(HttpStatusCode status, string? body, ModelOptions model, ModelSettings sent)
    {
        if (status is not (HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity) || string.IsNullOrEmpty(body))
        {
            return null;
        }

        var reason = Excerpt(body);
        if (Names(body, "temperature") && model.Temperature is not null && !sent.TemperatureDropped)
        {
            return sent with { TemperatureDropped = true, Reason = reason };
        }

        if ((Names(body, "response_format") || Names(body, "json_schema") || Names(body, "json_object"))
            && ResponseFormats.Below(sent.ResponseFormat) is { } weaker)
        {
            return sent with { ResponseFormat = weaker, Reason = reason };
        }

        return null;
    }

    private static bool Names(string body, string parameter) => body.Contains(parameter, StringComparison.OrdinalIgnoreCase);

    private static string Excerpt(string body)
    {
        var text = body.ReplaceLineEndings(" ").Trim();
        return text.Length <= 300 ? text : string.Concat(text.AsSpan(0, 300), "…");
    }
}
