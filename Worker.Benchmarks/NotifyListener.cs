using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace KrxSignal.Worker.Benchmarks;

/// <summary>Stands in for systemd's notification socket: a Unix datagram socket bound in a temp folder.</summary>
public sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();

    public NotifyListener(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _ = ReceiveLoopAsync();
    }

    /// <summary>The value for NOTIFY_SOCKET.</summary>
    public string Path { get; }

    /// <summary>Waits for a datagram that holds <paramref name="message"/> as one of its lines.</summary>
    public async Task WaitForAsync(string message, TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        while (true)
        {
            var next = await _messages.Reader.ReadAsync(wait.Token);
            if (next.Split('\n').Contains(message))
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (File.Exists(Path))
        {
            File.Delete(Path);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var length = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                await _messages.Writer.WriteAsync(Encoding.UTF8.GetString(buffer, 0, length));
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            _messages.Writer.TryComplete(); // Disposed: the run is over.
        }
    }
}
