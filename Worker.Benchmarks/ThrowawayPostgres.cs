using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace KrxSignal.Worker.Benchmarks;

/// <summary>
/// A PostgreSQL server for one benchmark run, started from the installed binaries (initdb, pg_ctl) into a temp
/// folder on a free loopback port — as the <c>postgres</c> user when run as root — and stopped and deleted on
/// dispose. The same steps as the test suite's server, kept here because the benchmark does not reference the tests.
/// Unlike the tests' server it keeps fsync on: a benchmark measures what a real server costs.
/// </summary>
internal sealed class ThrowawayPostgres : IAsyncDisposable
{
    private const string SuperUser = "postgres";

    private readonly string _bin;
    private readonly string _folder;
    private readonly string? _asUser;
    private int _databases;

    private ThrowawayPostgres(string bin, string folder, string? asUser, int port)
    {
        _bin = bin;
        _folder = folder;
        _asUser = asUser;
        Port = port;
    }

    public int Port { get; }

    /// <returns>The running server, or null (with the reason on standard error) when PostgreSQL is not installed.</returns>
    public static async Task<ThrowawayPostgres?> StartAsync()
    {
        if (!OperatingSystem.IsLinux() || FindBinaryFolder() is not { } bin)
        {
            await Console.Error.WriteLineAsync("PostgreSQL server binaries (initdb, pg_ctl) not found: the PostgreSQL rows are left out (Debian/Ubuntu: apt-get install postgresql)");
            return null;
        }

        var folder = Path.Combine(Path.GetTempPath(), "krx-bench-postgres-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var asUser = Environment.UserName == "root" ? SuperUser : null;
        if (asUser is not null)
        {
            await RunAsync("chown", ["-R", SuperUser, folder], null);
        }

        var data = Path.Combine(folder, "data");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", SuperUser, "-A", "trust", "-E", "UTF8"], asUser);
        var port = FreePort();
        var options = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200";
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "server.log"), "-o", options, "-w", "-t", "60", "start"], asUser);
        return new ThrowawayPostgres(bin, folder, asUser, port);
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"krx_bench_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionStringFor(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "fast", "-w", "stop"], _asUser);
        Directory.Delete(_folder, recursive: true);
    }

    private string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Database = database, Username = SuperUser }.ToString();

    private static string? FindBinaryFolder()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .FirstOrDefault(folder => File.Exists(Path.Combine(folder, "pg_ctl")) && File.Exists(Path.Combine(folder, "initdb")));
        const string debianRoot = "/usr/lib/postgresql";
        return onPath ?? (Directory.Exists(debianRoot)
            ? Directory.GetDirectories(debianRoot).Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "pg_ctl"))).OrderDescending().FirstOrDefault()
            : null);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> args, string? asUser)
    {
        var info = new ProcessStartInfo(asUser is null ? file : "runuser") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var arg in asUser is null ? args : ["-u", asUser, "--", file, .. args])
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
