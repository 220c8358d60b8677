using System.Text.Json.Serialization;
using Refit;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>The part of the OpenAI-compatible API we use; OpenRouter, Ollama and vLLM serve the same paths.</summary>
public interface IChatCompletionsApi
{
    [Post("/chat/completions")]
    Task<ChatCompletionResponse> CreateAsync([Body] ChatCompletionRequest request, [Header("Authorization")] string authorization, CancellationToken cancellationToken);

    /// <summary>A cheap authenticated read: doctor uses it to prove the endpoint and the key.</summary>
    [Get("/models")]
    Task<HttpResponseMessage> ListModelsAsync([Header("Authorization")] string authorization, CancellationToken cancellationToken);
}

public sealed record ChatCompletionRequest(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("messages")] IReadOnlyList<ChatMessage> Messages,
    [property: JsonPropertyName("temperature")] double Temperature,
    [property: JsonPropertyName("response_format")] ResponseFormat? ResponseFormat);

public sealed record ChatMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string? Content);

public sealed record ResponseFormat([property: JsonPropertyName("type")] string Type);

public sealed record ChatCompletionResponse(
    [property: JsonPropertyName("choices")] IReadOnlyList<ChatChoice>? Choices,
    [property: JsonPropertyName("usage")] ChatUsage? Usage);

public sealed record ChatChoice([property: JsonPropertyName("message")] ChatMessage? Message);

public sealed record ChatUsage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens);
