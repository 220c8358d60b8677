using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using KrxSignal.Worker.Http;
using KrxSignal.Worker.Notify.Outbox;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Notify.Channels;

/// <summary>
/// POSTs the stored JSON body as a Standard Webhook: webhook-id (and Idempotency-Key) is the message's stable key,
/// webhook-timestamp the attempt's time, webhook-signature one v1 signature per configured secret.
/// </summary>
internal sealed class WebhookChannel(OnFirstUse<IWebhookApi> api, IOptions<NotifyOptions> options, TimeProvider time) : INotificationChannel
{
    public const string ChannelName = "webhook";

    /// <summary>On a message that failed more than once: seconds since it was made, so the receiver knows it is late.</summary>
    public const string LateHeader = "X-Delivery-Late-Seconds";

    public string Name => ChannelName;

    public bool IsConfigured => options.Value.WebhookEnabled;

    public string Target => Fingerprint(options.Value.Webhook.Url);

    internal static string Fingerprint(string? address) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(address ?? "")));

    public async Task<DeliveryResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var body = Encoding.UTF8.GetBytes(message.Payload);
        var now = time.GetUtcNow();
        var timestamp = StandardWebhook.Timestamp(now);
        var keys = new[] { settings.Webhook.Secret, settings.Webhook.PreviousSecret }
            .Select(WebhookSecret.TryDecode).OfType<byte[]>().ToList();
        var signature = StandardWebhook.Sign(message.IdempotencyKey, timestamp, body, keys);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        try
        {
            var late = message.LateBy(now) is { } by ? ((long)by.TotalSeconds).ToString(CultureInfo.InvariantCulture) : null;
            using var response = await api.Value.PostAsync(message.IdempotencyKey, timestamp, signature, message.IdempotencyKey, late, content, cancellationToken);
            var answer = response.IsSuccessStatusCode ? null : await ReadBoundedAsync(response, cancellationToken);
            return ReceiverAnswer.Classify(response, answer, ReceiverAnswer.RetryAfterOf(response, time.GetUtcNow(), settings.MaxRetryDelay));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Only the type and message: exceptions from HttpClient name the host at most, never the secret.
            return DeliveryResult.Failure(ReceiverAnswer.Escape($"{e.GetType().Name}: {e.Message}"));
        }
    }

    internal static async Task<string?> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // A receiver's error page may be large; a little more than what is kept is enough.
        var buffer = new char[ReceiverAnswer.MaxAnswerLength * 2];
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        var read = await reader.ReadBlockAsync(buffer, cancellationToken);
        return read == 0 ? null : new string(buffer, 0, read);
    }
}
