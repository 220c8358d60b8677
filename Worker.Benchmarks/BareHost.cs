using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace KrxSignal.Worker.Benchmarks;

/// <summary>
/// The floor for start-up: a generic host with UseSystemd and no services of its own, started from this
/// benchmark's program with <c>--bare-host</c>. It sends READY=1 when started and stops on SIGTERM.
/// </summary>
public static class BareHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args.Where(a => a != "--bare-host").ToArray());
        builder.Services.AddSystemd();

        // As the Worker does: the package recognises systemd only as the parent process, and here the parent is
        // this benchmark, so the lifetime is registered on NOTIFY_SOCKET alone.
        builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        using var host = builder.Build();
        await host.RunAsync();
        return 0;
    }
}
