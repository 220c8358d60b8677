using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using KrxSignal.Worker.Notify.Outbox;
using Microsoft.Extensions.Options;
using Refit;

namespace KrxSignal.Worker.Notify.Channels;

/// <summary>POSTs the stored JSON body with an Idempotency-Key that never changes for a message, signed when a secret is set.</summary>
public sealed class WebhookChannel(IHttpClientFactory httpClients, IOptions<NotifyOptions> options) : INotificationChannel
{
    public const string ChannelName = "webhook";
    public const string SignatureHeader = "X-Signature";

    public string Name => ChannelName;

    public bool IsConfigured => options.Value.WebhookEnabled;

    /// <summary>"sha256=" and the lowercase hex HMAC-SHA256 of the exact body bytes.</summary>
    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public async Task<DeliveryResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value.Webhook;
        var body = Encoding.UTF8.GetBytes(message.Payload);
        var signature = string.IsNullOrEmpty(settings.Secret) ? null : Sign(settings.Secret, body);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        try
        {
            var client = httpClients.CreateClient(NotifyHttpClients.Webhook);
            client.BaseAddress = new Uri(settings.Url!);
            var api = RestService.ForGenerated<IWebhookApi>(client, NotifyHttpClients.RefitSettings);
            using var response = await api.PostAsync(message.IdempotencyKey, signature, content, cancellationToken);
            return response.IsSuccessStatusCode
                ? DeliveryResult.Success
                : DeliveryResult.Failure(Describe(response), RetryAfterOf(response));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Only the type and message: exceptions from HttpClient name the host at most, never the secret.
            return DeliveryResult.Failure($"{e.GetType().Name}: {e.Message}");
        }
    }

    internal static string Describe(HttpResponseMessage response) =>
        string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");

    internal static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        _ => null,
    };
}
