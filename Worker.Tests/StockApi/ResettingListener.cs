using System.Net;
using System.Net.Sockets;

namespace KrxSignal.Worker.Tests.StockApi;

/// <summary>A loopback server that accepts each connection and resets it (RST) without a byte of answer.</summary>
public sealed class ResettingListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();

    public ResettingListener()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var buffer = new byte[4096];
                _ = await client.GetStream().ReadAsync(buffer, _stop.Token); // wait for the request, then reset
                client.Client.LingerState = new LingerOption(true, 0);
                client.Client.Close();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
            // Stopped.
        }
    }
}
