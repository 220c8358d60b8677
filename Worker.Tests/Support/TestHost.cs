using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// The one way tests build the Worker's host: the production composition (<see cref="WorkerHost.CreateBuilder"/>)
/// with its database, heartbeat and logs in a temp folder, on a <see cref="FakeTimeProvider"/> the test drives,
/// with WireMock servers on loopback started on first use. Disposing it stops the servers and deletes the folder.
/// </summary>
public sealed class TestHost : IDisposable
{
    /// <summary>Thursday 2026-11-19 10:00 KST, inside the regular window.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 19, 1, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<string, WireMockServer> _servers = [];
    private readonly bool _ownsFolder;

    /// <param name="folder">A folder another fixture already owns (it stays the owner); a new one otherwise.</param>
    public TestHost(TempFolder? folder = null, DateTimeOffset? start = null)
    {
        _ownsFolder = folder is null;
        Folder = folder ?? new TempFolder();
        Time = new FakeTimeProvider(start ?? DefaultStart);
    }

    public TempFolder Folder { get; }

    /// <summary>The clock of every host built here, unless a build asks for the real one.</summary>
    public FakeTimeProvider Time { get; }

    public string DatabasePath => Folder.File("worker.db");

    /// <summary>A WireMock server on loopback, started on first use of its name.</summary>
    public WireMockServer Server(string name = "upstream")
    {
        lock (_servers)
        {
            if (!_servers.TryGetValue(name, out var server))
            {
                _servers[name] = server = WireMockServer.Start();
            }

            return server;
        }
    }

    /// <summary>The settings every command takes, with state in the temp folder and <paramref name="overrides"/> on top.</summary>
    internal WorkerHostSettings Settings(IReadOnlyDictionary<string, string?>? overrides = null, bool consoleLogsToStandardError = false)
    {
        var values = new Dictionary<string, string?>
        {
            ["Storage:DatabasePath"] = DatabasePath,
            ["Heartbeat:Path"] = Folder.File("heartbeat.json"),
            ["Logs:Directory"] = Folder.File("logs"),
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return new WorkerHostSettings { ContentRoot = AppContext.BaseDirectory, Overrides = values, ConsoleLogsToStandardError = consoleLogsToStandardError };
    }

    /// <summary>
    /// The production builder on <see cref="Time"/> (or on <paramref name="time"/>, e.g. <see cref="TimeProvider.System"/>
    /// for a test whose HTTP retries must really run); <paramref name="configure"/> replaces what the test stands in for.
    /// </summary>
    public HostApplicationBuilder CreateBuilder(IReadOnlyDictionary<string, string?>? overrides = null, TimeProvider? time = null, bool consoleLogsToStandardError = false)
    {
        var builder = WorkerHost.CreateBuilder(Settings(overrides, consoleLogsToStandardError));
        builder.Services.RemoveAll<TimeProvider>();
        builder.Services.AddSingleton(time ?? Time);
        return builder;
    }

    public IHost Build(IReadOnlyDictionary<string, string?>? overrides = null, TimeProvider? time = null, Action<IServiceCollection>? configure = null)
    {
        var builder = CreateBuilder(overrides, time);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>Builds the host and migrates its database, as every command does first.</summary>
    public async Task<IHost> BuildMigratedAsync(IReadOnlyDictionary<string, string?>? overrides = null, TimeProvider? time = null, Action<IServiceCollection>? configure = null)
    {
        var host = Build(overrides, time, configure);
        await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
        return host;
    }

    public void Dispose()
    {
        foreach (var server in _servers.Values)
        {
            server.Stop();
            server.Dispose();
        }

        if (_ownsFolder)
        {
            Folder.Dispose();
        }
    }
}
