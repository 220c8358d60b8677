using System.Net;
using System.Net.Sockets;

namespace KrxSignal.Worker.Tests.Reliability;

/// <summary>
/// A webhook endpoint on loopback that records each request's Idempotency-Key and body and answers 200. The test can
/// hook the first request: code run before its 200 is written, and code run right after.
/// </summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<(string Key, string Body)> _received = [];
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

    /// <summary>Run once, when the first request has been read and before its 200 goes out.</summary>
    public Func<Task>? BeforeFirstAnswer { get; set; }

    /// <summary>Run once, right after the first 200 has been written and the response closed.</summary>
    public Action? AfterFirstAnswer { get; set; }

    public IReadOnlyList<(string Key, string Body)> Received
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
        _listener.Stop();
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
        var first = true;
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

            using (var reader = new StreamReader(context.Request.InputStream, context.Request.ContentEncoding))
            {
                var body = await reader.ReadToEndAsync();
                lock (_gate)
                {
                    _received.Add((context.Request.Headers["Idempotency-Key"] ?? "", body));
                }
            }

            var hooked = first;
            first = false;
            if (hooked && BeforeFirstAnswer is { } before)
            {
                await before();
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
            if (hooked)
            {
                AfterFirstAnswer?.Invoke();
            }
        }
    }
}
