using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL server for the test run, started from the installed server binaries (initdb and pg_ctl)
/// into a temp folder on a free loopback port, and stopped when the test process exits. Each test asks for its own
/// database (<see cref="CreateDatabaseAsync"/>), so tests never see each other's rows. As root the server runs as
/// the <c>postgres</c> user, since PostgreSQL refuses to run as root. Without the binaries a test that needs the
/// server reports itself skipped with how to install them — or fails, under <see cref="RequiredTools.RequireVariable"/>.
/// </summary>
public sealed class PostgresServer
{
    private const string SuperUser = "postgres";

    private static readonly Lazy<Task<PostgresServer?>> Shared = new(StartAsync);
    private static int s_databases;

    private readonly string _adminConnectionString;

    private PostgresServer(int port)
    {
        Port = port;
        _adminConnectionString = ConnectionStringFor("postgres");
    }

    public int Port { get; }

    /// <summary>The run's server; skips (or fails) the calling test when PostgreSQL is not installed.</summary>
    public static async Task<PostgresServer> GetAsync()
    {
        var server = await Shared.Value;
        RequiredTools.Require(
            server is not null,
            $"PostgreSQL server binaries (initdb, pg_ctl) were not found or did not start; install them (Debian/Ubuntu: apt-get install postgresql) or put their folder on PATH ({BinaryFolderHint})");
        return server!;
    }

    /// <summary>A new, empty database on the run's server; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"krx_test_{Environment.ProcessId}_{Interlocked.Increment(ref s_databases)}";
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionStringFor(name);
    }

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = database,
        Username = SuperUser,
        Pooling = true,
        Timeout = 30,
        CommandTimeout = 60,
    }.ToString();

    private static string BinaryFolderHint => "looked on PATH and in /usr/lib/postgresql/*/bin";

    private static async Task<PostgresServer?> StartAsync()
    {
        if (!OperatingSystem.IsLinux() || FindBinaryFolder() is not { } bin)
        {
            return null;
        }

        var root = Path.Combine(Path.GetTempPath(), "krx-worker-tests-postgres");
        RemoveFoldersOfEndedRuns(root);
        var folder = Path.Combine(root, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(folder);
        var asRoot = Environment.UserName == "root";
        if (asRoot && !await RunAsync("chown", ["-R", SuperUser, folder], asUser: null))
        {
            return null;
        }

        if (!await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--no-sync"], asRoot ? SuperUser : null))
        {
            return null;
        }

        var port = FreePort();

        // Durability is not under test here and fsync would dominate the suite's time; the socket stays in the folder.
        var options = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        if (!await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "server.log"), "-o", options, "-w", "-t", "60", "start"], asRoot ? SuperUser : null))
        {
            return null;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            using var stop = Process.Start(StartInfo(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], asRoot ? SuperUser : null));
            stop?.WaitForExit(10_000);
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The next run removes it (RemoveFoldersOfEndedRuns).
            }
        };

        return new PostgresServer(port);
    }

    /// <summary>The exit handler stops the server but may not outlive it long enough to delete its files.</summary>
    private static void RemoveFoldersOfEndedRuns(string root)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var folder in Directory.GetDirectories(root))
        {
            var owner = Path.GetFileName(folder).Split('-')[0];
            if (int.TryParse(owner, out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another user's run; leave it.
                }
            }
        }
    }

    private static string? FindBinaryFolder()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .FirstOrDefault(folder => File.Exists(Path.Combine(folder, "pg_ctl")) && File.Exists(Path.Combine(folder, "initdb")));
        if (onPath is not null)
        {
            return onPath;
        }

        const string debianRoot = "/usr/lib/postgresql";
        return Directory.Exists(debianRoot)
            ? Directory.GetDirectories(debianRoot).Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "pg_ctl"))).OrderDescending().FirstOrDefault()
            : null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ProcessStartInfo StartInfo(string file, IReadOnlyList<string> args, string? asUser)
    {
        var info = new ProcessStartInfo(asUser is null ? file : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asUser is not null)
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add(asUser);
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(file);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private static async Task<bool> RunAsync(string file, IReadOnlyList<string> args, string? asUser)
    {
        try
        {
            using var process = Process.Start(StartInfo(file, args, asUser))!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(output, error);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
