using System.Net;
using System.Text;

namespace KrxSignal.Worker.Replay;

/// <summary>
/// Where a replay's notifications go unless the operator asks for real delivery: every message is
/// accepted (the outbox marks it delivered, so the replay database records it) and nothing leaves the machine.
/// </summary>
internal static class DeliverySink
{
    /// <summary>A fresh handler per client build: the client factory disposes the handlers it retires.</summary>
    public static HttpMessageHandler CreateHandler() => new Handler();

    private sealed class Handler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // The Telegram Bot API's success shape; a webhook ignores the body.
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                RequestMessage = request,
                Content = new StringContent("""{"ok":true,"result":{"message_id":1}}""", Encoding.UTF8, "application/json"),
            });
        }
    }
}
