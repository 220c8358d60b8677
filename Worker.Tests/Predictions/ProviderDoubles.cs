using System.Text.Json;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.Predictions;

/// <summary>
/// WireMock mappings that answer as real OpenAI-compatible servers do, each under its own base path: their
/// refusals (status, body shape and wording as those servers send them) and their ways of wrapping an answer.
/// </summary>
internal static class ProviderDoubles
{
    /// <summary>LM Studio's answer to response_format json_object.</summary>
    public const string LmStudioRefusal = """{"error":"'response_format.type' must be 'json_schema' or 'text'"}""";

    /// <summary>OpenAI's answer to temperature 0 from a reasoning model (o1/o3, gpt-5 family).</summary>
    public const string ReasoningModelRefusal =
        """{"error":{"message":"Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.","type":"invalid_request_error","param":"temperature","code":"unsupported_value"}}""";

    public static string Answer(string direction = "up", string impact = "high", string confidence = "0.8") =>
        $$"""{"direction":"{{direction}}","impact":"{{impact}}","confidence":{{confidence}},"reasoning":"record orders"}""";

    /// <summary>A chat.completion whose message may carry a reasoning field beside the content.</summary>
    public static string Completion(string? content, string? reasoningContent = null, string? reasoning = null)
    {
        var message = new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = content };
        if (reasoningContent is not null)
        {
            message["reasoning_content"] = reasoningContent;
        }

        if (reasoning is not null)
        {
            message["reasoning"] = reasoning;
        }

        return JsonSerializer.Serialize(new
        {
            id = "chatcmpl-1",
            @object = "chat.completion",
            choices = new[] { new { index = 0, message, finish_reason = "stop" } },
            usage = new { prompt_tokens = 100, completion_tokens = 20, total_tokens = 120 },
        });
    }

    public static void Replies(this WireMockServer server, string basePath, string completion) =>
        server.Given(Request.Create().WithPath($"{basePath}/chat/completions").UsingPost()).AtPriority(10).RespondWith(Json(200, completion));

    /// <summary>LM Studio: json_object is refused with a 400, json_schema and text are answered.</summary>
    public static void LmStudio(this WireMockServer server, string basePath, string completion)
    {
        server.Given(Request.Create().WithPath($"{basePath}/chat/completions").UsingPost().WithBody((string? body) => body != null && body.Contains("\"json_object\"", StringComparison.Ordinal)))
            .AtPriority(1).RespondWith(Json(400, LmStudioRefusal));
        server.Replies(basePath, completion);
    }

    /// <summary>An OpenAI reasoning model: any temperature but the default is refused with unsupported_value.</summary>
    public static void ReasoningModel(this WireMockServer server, string basePath, string completion)
    {
        server.Given(Request.Create().WithPath($"{basePath}/chat/completions").UsingPost().WithBody((string? body) => body != null && body.Contains("\"temperature\"", StringComparison.Ordinal)))
            .AtPriority(1).RespondWith(Json(400, ReasoningModelRefusal));
        server.Replies(basePath, completion);
    }

    /// <summary>A keyless local server (Ollama, llama.cpp) behind a proxy that rejects any Authorization header it does not expect.</summary>
    public static void Keyless(this WireMockServer server, string basePath, string completion)
    {
        server.Given(Request.Create().WithPath($"{basePath}/chat/completions").UsingPost().WithHeader("Authorization", "*"))
            .AtPriority(1).RespondWith(Json(401, """{"error":"unexpected Authorization header"}"""));
        server.Replies(basePath, completion);
    }

    public static int RequestsTo(this WireMockServer server, string basePath, Func<string, bool>? body = null) =>
        server.LogEntries.Count(e => e.RequestMessage!.Path == $"{basePath}/chat/completions" && (body is null || body(e.RequestMessage.Body ?? "")));

    private static IResponseBuilder Json(int status, string body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);
}
