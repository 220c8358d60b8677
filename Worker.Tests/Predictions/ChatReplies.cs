using System.Text.Json;

namespace KrxSignal.Worker.Tests.Predictions;

/// <summary>Bodies an OpenAI-compatible endpoint returns, for WireMock.</summary>
internal static class ChatReplies
{
    public const string ValidAnswer = """{"direction":"up","impact":"high","confidence":0.8,"reasoning":"record orders"}""";

    public static string Completion(string content, int promptTokens = 100, int completionTokens = 20) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-1",
        @object = "chat.completion",
        choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
        usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
    });
}
