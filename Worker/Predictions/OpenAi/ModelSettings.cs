namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>What a model is asked for now: the configured values, or what negotiation stepped them down to.</summary>
/// <param name="Reason">The provider's own message that caused the last step; null when nothing was stepped down.</param>
public sealed record ModelSettings(string ResponseFormat, bool TemperatureDropped, string? Reason = null)
{
    public static ModelSettings Configured(ModelOptions model) => new(model.ResponseFormat, TemperatureDropped: false);

    /// <summary>For doctor and status: "json_object, temperature dropped".</summary>
    public string Describe() => TemperatureDropped ? $"{ResponseFormat}, temperature dropped" : ResponseFormat;

    public bool SameRequestAs(ModelSettings other) => ResponseFormat == other.ResponseFormat && TemperatureDropped == other.TemperatureDropped;
}
