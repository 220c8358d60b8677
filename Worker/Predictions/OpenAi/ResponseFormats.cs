namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>The values of Models:N:ResponseFormat, strongest first: a refusal steps a model one place down.</summary>
public static class ResponseFormats
{
    public const string JsonSchema = "json_schema";
    public const string JsonObject = "json_object";
    public const string None = "none";

    public static readonly IReadOnlyList<string> All = [JsonSchema, JsonObject, None];

    /// <summary>0 for the strongest; an unknown value ranks as none.</summary>
    public static int Rank(string format) => format switch
    {
        JsonSchema => 0,
        JsonObject => 1,
        _ => 2,
    };

    /// <returns>The next weaker mode, or null at none.</returns>
    public static string? Below(string format) => format switch
    {
        JsonSchema => JsonObject,
        JsonObject => None,
        _ => null,
    };
}
