using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KrxSignal.Worker.Pipeline;

namespace KrxSignal.Worker.Tests.Predictions;

/// <summary>Alone in its collection, so the process-wide allocation count measures this test's run only.</summary>
[CollectionDefinition(nameof(LargeAnswerTests), DisableParallelization = true)]
public sealed class LargeAnswerIsolation
{
}

[Collection(nameof(LargeAnswerTests))]
public sealed class LargeAnswerTests : IDisposable
{
    private const long AnswerBytes = 50L * 1024 * 1024;
    private readonly FakeModelServer _fake = new();

    public void Dispose() => _fake.Dispose();

    [Fact]
    public async Task RunAsync_FiftyMegabyteAnswer_FailedAttemptWithoutReadingIt()
    {
        using var server = new EndlessAnswerServer(AnswerBytes);
        var settings = PredictionHost.Model(
            0, "gpt", "openai", ("BaseUrl", $"http://127.0.0.1:{server.Port}/v1"), ("Model", "m"), ("ApiKeyEnv", _fake.KeyVariable), ("MaxRetries", "0"));
        using var host = await PredictionHost.StartAsync(_fake.Folder, settings);
        await host.InsertArticleAsync("a1", "005930", "t", new DateTimeOffset(2026, 11, 19, 0, 30, 0, TimeSpan.Zero));

        var before = GC.GetTotalAllocatedBytes(precise: true);
        await host.Stage.RunAsync(new StageContext(), CancellationToken.None);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        var row = await host.PredictionAsync("a1", "gpt");
        row.Status.Should().Be("failed");
        row.Error.Should().Be("the response is larger than 1024 KB and was not read further");
        allocated.Should().BeLessThan(16L * 1024 * 1024, "the body is read only up to the 1 MB cap (a whole read of 50 MB would allocate over 100 MB)");
        var sent = await server.Sent;
        sent.Should().BeLessThan(AnswerBytes, "the client stopped reading, so the server could not send it all");
        Console.WriteLine(FormattableString.Invariant($"50 MB answer: {allocated / 1024.0 / 1024.0:0.0} MiB allocated during the run, server sent {sent / 1024.0 / 1024.0:0.0} MiB, process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024} MiB"));
    }

    /// <summary>
    /// A loopback HTTP/1.1 server that answers one chat request with a chunked body of the given size, generated
    /// from one small buffer: the size is what a runaway model sends, not what the test process holds.
    /// </summary>
    private sealed class EndlessAnswerServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public EndlessAnswerServer(long bytes)
        {
            _listener.Start();
            Sent = ServeAsync(bytes);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public Task<long> Sent { get; }

        public void Dispose() => _listener.Stop();

        private async Task<long> ServeAsync(long bytes)
        {
            using var client = await _listener.AcceptTcpClientAsync();
            await using var stream = client.GetStream();
            await ReadRequestAsync(stream);
            var head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            await stream.WriteAsync(head);
            var opening = Encoding.UTF8.GetBytes("""{"choices":[{"message":{"role":"assistant","content":" """);
            var filler = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
            long sent = 0;
            try
            {
                await WriteChunkAsync(stream, opening);
                sent += opening.Length;
                while (sent < bytes)
                {
                    await WriteChunkAsync(stream, filler);
                    sent += filler.Length;
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes("0\r\n\r\n"));
            }
            catch (IOException)
            {
                // The client gave up reading: what it refused is exactly what this test is about.
            }

            return sent;
        }

        private static async Task WriteChunkAsync(NetworkStream stream, byte[] chunk)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{chunk.Length:X}\r\n"));
            await stream.WriteAsync(chunk);
            await stream.WriteAsync("\r\n"u8.ToArray());
        }

        /// <summary>Reads the headers and the (chunked) request body up to its last chunk.</summary>
        private static async Task ReadRequestAsync(NetworkStream stream)
        {
            var seen = new StringBuilder();
            var buffer = new byte[8192];
            while (true)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    return;
                }

                seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
                var text = seen.ToString();
                var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headerEnd < 0)
                {
                    continue;
                }

                var chunked = text[..headerEnd].Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
                if (!chunked || text.EndsWith("0\r\n\r\n", StringComparison.Ordinal))
                {
                    return;
                }
            }
        }
    }
}
