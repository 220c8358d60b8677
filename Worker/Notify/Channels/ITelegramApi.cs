using System.Text.Json.Serialization;
using Refit;

namespace KrxSignal.Worker.Notify.Channels;

/// <summary>The Telegram Bot API. The base address is {BaseUrl}/bot{token}: the token never appears in a route template.</summary>
internal interface ITelegramApi
{
    [Post("/sendMessage")]
    Task<HttpResponseMessage> SendMessageAsync([Body] TelegramSendMessage message, CancellationToken cancellationToken);
}

internal sealed record TelegramSendMessage(
    [property: JsonPropertyName("chat_id")] string ChatId,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("disable_web_page_preview")] bool DisableWebPagePreview = true,
    [property: JsonPropertyName("parse_mode")] string ParseMode = "HTML"); // every text is composed as Telegram HTML (MessageComposer)

/// <summary>The Bot API's answer; on 429 <c>parameters.retry_after</c> says how many seconds to wait.</summary>
internal sealed record TelegramResponse(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("error_code")] int? ErrorCode = null,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("parameters")] TelegramResponseParameters? Parameters = null);

internal sealed record TelegramResponseParameters([property: JsonPropertyName("retry_after")] int? RetryAfter = null);

[JsonSerializable(typeof(TelegramSendMessage))]
[JsonSerializable(typeof(TelegramResponse))]
internal sealed partial class TelegramJsonContext : JsonSerializerContext;
