using System.Text.Json;
using KrxSignal.Worker.Http;
using KrxSignal.Worker.Notify.Outbox;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Notify.Channels;

/// <summary>Sends the message's text with the Bot API's sendMessage; a 429 carries the wait in parameters.retry_after.</summary>
internal sealed class TelegramChannel(OnFirstUse<ITelegramApi> api, IOptions<NotifyOptions> options, TimeProvider time) : INotificationChannel
{
    public const string ChannelName = "telegram";

    public string Name => ChannelName;

    public bool IsConfigured => options.Value.TelegramEnabled;

    // The token is hashed with the address and chat: a new bot or chat counts as a new receiver.
    public string Target => WebhookChannel.Fingerprint($"{options.Value.Telegram.BaseUrl}|{options.Value.Telegram.BotToken}|{options.Value.Telegram.ChatId}");

    public async Task<DeliveryResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var token = settings.Telegram.BotToken!;
        try
        {
            using var response = await api.Value.SendMessageAsync(new TelegramSendMessage(settings.Telegram.ChatId!, WithLateness(message)), cancellationToken);
            var answer = await ReadAsync(response, cancellationToken);
            if (response.IsSuccessStatusCode && answer?.Ok != false)
            {
                return DeliveryResult.Success;
            }

            var retryAfter = answer?.Parameters?.RetryAfter is int seconds
                ? RetryAfter.FromSeconds(seconds, settings.MaxRetryDelay)
                : ReceiverAnswer.RetryAfterOf(response, time.GetUtcNow(), settings.MaxRetryDelay);
            var result = ReceiverAnswer.Classify(response, answer?.Description, retryAfter);
            return result with { Error = Scrub(result.Error ?? "", token) };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The token is in the request URL; whatever an exception says, it must not reach the log or the database.
            return DeliveryResult.Failure(Scrub(ReceiverAnswer.Escape($"{e.GetType().Name}: {e.Message}"), token));
        }
    }

    // A late message says so: the reader must not take it for fresh news.
    private string WithLateness(OutboxMessage message) => message.LateBy(time.GetUtcNow()) is { } late
        ? FormattableString.Invariant($"{message.Text}\n\n(delayed: sent {late.TotalMinutes:0} min after it was made, attempt {message.Attempts + 1})")
        : message.Text;

    private static string Scrub(string text, string token) => text.Replace(token, "<bot token>", StringComparison.Ordinal);

    private static async Task<TelegramResponse?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var json = await response.Content.ReadAsStringAsync(cancellationToken);
            return json.Length == 0 ? null : JsonSerializer.Deserialize(json, TelegramJsonContext.Default.TelegramResponse);
        }
        catch (JsonException)
        {
            return null; // a proxy's HTML error page: the status code says enough
        }
    }
}
