using Refit;

namespace KrxSignal.Worker.Notify.Channels;

/// <summary>The webhook receiver: Notify:Webhook:Url is the client's base address, so the path here is empty.</summary>
public interface IWebhookApi
{
    // The body is prebuilt bytes, not an object: the signature covers exactly what is sent.
    [Post("")]
    Task<HttpResponseMessage> PostAsync(
        [Header("Idempotency-Key")] string idempotencyKey,
        [Header(WebhookChannel.SignatureHeader)] string? signature,
        [Body] HttpContent body,
        CancellationToken cancellationToken);
}
