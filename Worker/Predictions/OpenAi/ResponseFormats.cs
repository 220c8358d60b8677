namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>The values of Models:N:ResponseFormat, strongest first: a refusal steps a model one place down.</summary>
public static class ResponseFormats
{
    public const string JsonSchema = "json_schema";
    public const string JsonObject = "json_object";
    public const string None = "none";

    public static readonly IReadOnlyList<string> All = [JsonSchema, JsonObject, None];

    /// <returns>The next weaker mode, or null at none.</returns>
    public static string? Below(string format) => format switch
    {
        JsonSchema => JsonObject,
        JsonObject => None,
        _ => null,
    };
}
