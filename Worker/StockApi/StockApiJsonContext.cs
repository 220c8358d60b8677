using System.Text.Json.Serialization;

namespace KrxSignal.Worker.StockApi;

/// <summary>
/// Source-generated JSON for the upstream's shapes. Missing required members and nulls in non-nullable ones are
/// errors, so an answer that lacks a field fails to read instead of turning into zeros and empty strings.
/// </summary>
[JsonSourceGenerationOptions(
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Portfolio))]
[JsonSerializable(typeof(NewsSentiment))]
[JsonSerializable(typeof(Article))]
[JsonSerializable(typeof(ScreenerRequest))]
[JsonSerializable(typeof(ScreenerResult))]
internal sealed partial class StockApiJsonContext : JsonSerializerContext;
