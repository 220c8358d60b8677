using System.Text.Json;
using KrxSignal.Worker.Notify.Outbox;
using Microsoft.Extensions.Options;
using Refit;

namespace KrxSignal.Worker.Notify.Channels;

/// <summary>Sends the message's text with the Bot API's sendMessage; a 429 carries the wait in parameters.retry_after.</summary>
public sealed class TelegramChannel(IHttpClientFactory httpClients, IOptions<NotifyOptions> options) : INotificationChannel
{
    public const string ChannelName = "telegram";

    public string Name => ChannelName;

    public bool IsConfigured => options.Value.TelegramEnabled;

    public async Task<DeliveryResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value.Telegram;
        var token = settings.BotToken!;
        try
        {
            var client = httpClients.CreateClient(NotifyHttpClients.Telegram);
            client.BaseAddress = new Uri($"{settings.BaseUrl.TrimEnd('/')}/bot{token}");
            var api = RestService.ForGenerated<ITelegramApi>(client, NotifyHttpClients.RefitSettings);
            using var response = await api.SendMessageAsync(new TelegramSendMessage(settings.ChatId!, message.Text), cancellationToken);
            var answer = await ReadAsync(response, cancellationToken);
            if (response.IsSuccessStatusCode && answer?.Ok != false)
            {
                return DeliveryResult.Success;
            }

            var retryAfter = answer?.Parameters?.RetryAfter is int seconds ? TimeSpan.FromSeconds(seconds) : WebhookChannel.RetryAfterOf(response);
            var description = answer?.Description is { Length: > 0 } d ? $"{WebhookChannel.Describe(response)}: {d}" : WebhookChannel.Describe(response);
            return DeliveryResult.Failure(Scrub(description, token), retryAfter);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The token is in the request URL; whatever an exception says, it must not reach the log or the database.
            return DeliveryResult.Failure(Scrub($"{e.GetType().Name}: {e.Message}", token));
        }
    }

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
