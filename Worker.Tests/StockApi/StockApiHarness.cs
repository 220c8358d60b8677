using System.Collections.Concurrent;
using Dapper;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Ingest;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.StockApi;

/// <summary>
/// The poll stage in the production composition (<see cref="TestHost"/>), against WireMock on loopback, a real SQLite file and a fake clock.
/// The clock moves only when the test drives it, so retry and breaker waits cost no wall-clock time.
/// </summary>
public sealed class StockApiHarness : IDisposable
{
    public const string ApiKey = "test-key-not-a-secret";
    public const string PortfolioPath = "/api/webai/portfolio";
    public const string NewsPath = "/api/webai/news-sentiment";
    public const string ScreenerPath = "/api/stock/screener/run";

    /// <summary>Friday 2026-11-20 10:00 KST.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 20, 1, 0, 0, TimeSpan.Zero);

    private readonly TestHost _fixture = new(start: Start);
    private readonly IHost _host;

    private StockApiHarness(IReadOnlyDictionary<string, string?>? settings)
    {
        Server = _fixture.Server();
        var values = new Dictionary<string, string?>
        {
            ["StockApi:BaseUrl"] = Server.Url,
            ["StockApi:ApiKey"] = ApiKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        _host = _fixture.Build(values, configure: services =>
        {
            services.AddLogging(b => b.AddFakeLogging());
            services.RemoveAll<RetryJitter>();
            services.AddSingleton(RetryJitter.None);

            // Innermost handler: sees each attempt on the fake clock, and tells the driver when a request is on the wire.
            services.AddHttpClient(StockApiServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => new ProbeHandler(this));
        });
    }

    /// <summary>The poll stage over a migrated database, with <paramref name="settings"/> on top of the upstream's address and key.</summary>
    public static async Task<StockApiHarness> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var harness = new StockApiHarness(settings);
        await harness.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
        return harness;
    }

    public WireMockServer Server { get; }

    public FakeTimeProvider Time => _fixture.Time;

    public IServiceProvider Services => _host.Services;

    public ConcurrentQueue<(string Path, DateTimeOffset At, string? Key)> Attempts { get; } = new();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public MarketData Market => Services.GetRequiredService<MarketData>();

    private int _inFlight;

    public Task<StageResult> RunCycleAsync(StageContext? context = null, bool advanceWhileRequestsPending = false) =>
        DriveAsync(Services.GetRequiredService<PollStage>().RunAsync(context ?? new StageContext(), CancellationToken.None), advanceWhileRequestsPending);

    /// <summary>
    /// Moves the fake clock in 100 ms steps until <paramref name="task"/> completes. While a request is on the wire the
    /// clock holds (unless asked otherwise: a hang must be timed out), so a slow loopback answer never looks like a timeout.
    /// </summary>
    public async Task<T> DriveAsync<T>(Task<T> task, bool advanceWhileRequestsPending = false)
    {
        var realDeadline = TimeProvider.System.GetTimestamp();
        while (!task.IsCompleted)
        {
            if (advanceWhileRequestsPending || Volatile.Read(ref _inFlight) == 0)
            {
                Time.Advance(TimeSpan.FromMilliseconds(100));
            }

            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System));
            if (TimeProvider.System.GetElapsedTime(realDeadline) > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("The driven task did not complete within two minutes of wall-clock time.");
            }
        }

        return await task;
    }

    public IReadOnlyList<DateTimeOffset> AttemptTimes(string path) => Attempts.Where(a => a.Path == path).Select(a => a.At).ToList();

    public void Answer(string path, int status, string body, string contentType = "application/json")
    {
        var request = path == ScreenerPath ? Request.Create().WithPath(path).UsingPost() : Request.Create().WithPath(path).UsingGet();
        Server.Given(request).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body));
    }

    public void Answer(string path, IResponseBuilder response)
    {
        var request = path == ScreenerPath ? Request.Create().WithPath(path).UsingPost() : Request.Create().WithPath(path).UsingGet();
        Server.Given(request).RespondWith(response);
    }

    public void AllHealthy()
    {
        Answer(PortfolioPath, 200, Payloads.Portfolio);
        Answer(NewsPath, 200, Payloads.News);
        Answer(ScreenerPath, 200, Payloads.Screener);
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<T>(new CommandDefinition(sql, parameters))).ToList();
    }

    /// <summary>The poll stage's share of the heartbeat: what the StockApi folder's contributors report.</summary>
    public async Task<HeartbeatDraft> HeartbeatAsync()
    {
        var draft = new HeartbeatDraft();
        foreach (var contributor in Services.GetServices<IHeartbeatContributor>().Where(c => c.GetType().Namespace == typeof(PollStage).Namespace))
        {
            await contributor.ContributeAsync(draft, CancellationToken.None);
        }

        return draft;
    }

    public void Dispose()
    {
        _host.Dispose();
        _fixture.Dispose();
    }

    private sealed class ProbeHandler(StockApiHarness harness) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var key = request.Headers.TryGetValues("X-WebAI-Key", out var values) ? values.Single() : null;
            harness.Attempts.Enqueue((request.RequestUri!.AbsolutePath, harness.Time.GetUtcNow(), key));
            Interlocked.Increment(ref harness._inFlight);
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref harness._inFlight);
            }
        }
    }
}
