using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// The part of the OpenAI-compatible API we use; OpenRouter, Ollama, vLLM, llama.cpp and LM Studio serve the
/// same paths. The Authorization header is added by <see cref="ModelHttpHandler"/>, and only when the model has a key.
/// </summary>
public interface IChatCompletionsApi
{
    [Post("/chat/completions")]
    Task<ChatCompletionResponse> CreateAsync([Body] ChatCompletionRequest request, CancellationToken cancellationToken);

    /// <summary>A cheap authenticated read: doctor uses it to prove the endpoint and the key.</summary>
    [Get("/models")]
    Task<HttpResponseMessage> ListModelsAsync(CancellationToken cancellationToken);
}

/// <param name="Temperature">Null leaves it out of the JSON: the provider's default applies.</param>
/// <param name="ResponseFormat">Null leaves it out (mode none).</param>
public sealed record ChatCompletionRequest(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("messages")] IReadOnlyList<ChatMessage> Messages,
    [property: JsonPropertyName("temperature"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Temperature,
    [property: JsonPropertyName("response_format"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ResponseFormat? ResponseFormat,
    [property: JsonPropertyName("provider"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProviderRouting? Provider = null);

/// <summary>OpenRouter's routing preferences: require_parameters sends a request only to providers that support all of its parameters.</summary>
public sealed record ProviderRouting([property: JsonPropertyName("require_parameters")] bool RequireParameters);

public sealed record ChatMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string? Content,
    [property: JsonPropertyName("reasoning_content"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ReasoningContent = null,
    [property: JsonPropertyName("reasoning"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reasoning = null);

/// <summary>OpenAI's response_format: <c>{"type":"json_object"}</c>, or json_schema with its schema.</summary>
public sealed record ResponseFormat(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("json_schema"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonSchemaFormat? JsonSchema = null);

public sealed record JsonSchemaFormat(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("strict")] bool Strict,
    [property: JsonPropertyName("schema")] JsonElement Schema);

public sealed record ChatCompletionResponse(
    [property: JsonPropertyName("choices")] IReadOnlyList<ChatChoice>? Choices,
    [property: JsonPropertyName("usage")] ChatUsage? Usage);

public sealed record ChatChoice([property: JsonPropertyName("message")] ChatMessage? Message);

public sealed record ChatUsage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens);
