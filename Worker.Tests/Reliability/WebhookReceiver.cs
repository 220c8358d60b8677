using System.Net;
using System.Net.Sockets;

namespace KrxSignal.Worker.Tests.Reliability;

/// <summary>
/// A webhook (and Telegram Bot API) endpoint on loopback that records each request's path, Idempotency-Key, body and
/// the status it answered, and answers <see cref="Status"/> (200 by default, with Telegram's success body). The test
/// can hook the first request: code run before its answer is written, and code run right after.
/// </summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<ReceivedRequest> _received = [];
    private readonly Lock _gate = new();
    private readonly Task _loop;

    public WebhookReceiver()
    {
        Url = $"http://127.0.0.1:{FreePort()}/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    /// <summary>Run once, when the next request has been read and before its answer goes out.</summary>
    public Func<Task>? BeforeFirstAnswer { get; set; }

    /// <summary>Run once, right after the answer to that request has been written and the response closed.</summary>
    public Action? AfterFirstAnswer { get; set; }

    /// <summary>The status to answer; it may change while the receiver runs.</summary>
    public int Status { get; set; } = 200;

    /// <summary>A pause before each answer, so that concurrent senders overlap.</summary>
    public TimeSpan AnswerDelay { get; set; }

    public IReadOnlyList<(string Key, string Body)> Received
    {
        get
        {
            lock (_gate)
            {
                return _received.Select(r => (r.Key, r.Body)).ToList();
            }
        }
    }

    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _received.ToList();
            }
        }
    }

    public void Dispose()
    {
        // Close alone, never Stop then Close: on Unix the managed listener's second removal re-binds the port the first
        // one freed, and throws "Address already in use" when another test has taken it in between.
        _listener.Close();
        _ = _loop.Exception; // observed: the loop ends with the listener
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            string body;
            using (var reader = new StreamReader(context.Request.InputStream, context.Request.ContentEncoding))
            {
                body = await reader.ReadToEndAsync();
            }

            // The hooks apply to the first request that arrives after they are set, and then are spent.
            var before = BeforeFirstAnswer;
            var after = AfterFirstAnswer;
            BeforeFirstAnswer = null;
            AfterFirstAnswer = null;
            if (before is not null)
            {
                await before();
            }

            if (AnswerDelay > TimeSpan.Zero)
            {
                await Task.Delay(AnswerDelay, TimeProvider.System);
            }

            var status = Status;
            lock (_gate)
            {
                _received.Add(new ReceivedRequest(context.Request.Url!.AbsolutePath, context.Request.Headers["Idempotency-Key"] ?? "", body, status));
            }

            try
            {
                context.Response.StatusCode = status;
                var answer = status == 200 ? "{\"ok\":true,\"result\":{\"message_id\":1}}"u8.ToArray() : [];
                await context.Response.OutputStream.WriteAsync(answer);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The sender is gone (killed mid-request): the answer reaches no one.
            }

            after?.Invoke();
        }
    }
}

/// <param name="Status">What the receiver answered (or tried to, when the sender was gone).</param>
internal sealed record ReceivedRequest(string Path, string Key, string Body, int Status);
