using Refit;

namespace KrxSignal.Worker.Notify.Channels;

/// <summary>The webhook receiver: Notify:Webhook:Url is the client's base address, so the path here is empty.</summary>
internal interface IWebhookApi
{
    // The body is prebuilt bytes, not an object: the signature covers exactly what is sent.
    [Post("")]
    Task<HttpResponseMessage> PostAsync(
        [Header(StandardWebhook.IdHeader)] string id,
        [Header(StandardWebhook.TimestampHeader)] string timestamp,
        [Header(StandardWebhook.SignatureHeader)] string? signature,
        [Header("Idempotency-Key")] string idempotencyKey,
        [Header(WebhookChannel.LateHeader)] string? lateSeconds,
        [Body] HttpContent body,
        CancellationToken cancellationToken);
}
