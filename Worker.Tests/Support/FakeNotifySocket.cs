using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace KrxSignal.Worker.Tests.Support;

/// <summary>Stands in for systemd's notification socket: a Unix datagram socket bound in a test folder.</summary>
public sealed class FakeNotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _stop = new();

    public FakeNotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _ = ReceiveLoopAsync();
    }

    /// <summary>The value for NOTIFY_SOCKET.</summary>
    public string Path { get; }

    /// <summary>The next datagram, or null when none arrives within <paramref name="timeout"/>.</summary>
    public async Task<string?> NextAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            return await _messages.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Reads until <paramref name="message"/> arrives; fails when it does not within <paramref name="timeout"/>.</summary>
    public async Task<List<string>> WaitForAsync(string message, TimeSpan timeout)
    {
        var seen = new List<string>();
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var next = await _messages.Reader.ReadAsync(wait.Token);
                seen.Add(next);
                if (next == message)
                {
                    return seen;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No '{message}' within {timeout}; received: [{string.Join(", ", seen)}]");
        }
    }

    /// <summary>Everything that has already arrived.</summary>
    public List<string> Drain()
    {
        var drained = new List<string>();
        while (_messages.Reader.TryRead(out var message))
        {
            drained.Add(message);
        }

        return drained;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                // One datagram may carry several newline-separated assignments (sd_notify(3)).
                foreach (var line in Encoding.UTF8.GetString(buffer, 0, length).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    _messages.Writer.TryWrite(line);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Disposed by the test.
        }
    }
}
