using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health.Doctor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace KrxSignal.Worker.Hosting;

/// <summary>Life under systemd or the Windows service manager: start/stop notifications and the log folder check (the watchdog is Health's).</summary>
internal static class ServiceManagerServiceCollectionExtensions
{
    public const string WindowsServiceName = "KrxSignalWorker";

    public static IServiceCollection AddServiceManager(this IServiceCollection services)
    {
        // Both are inert unless the process really runs under the service manager.
        services.AddWindowsService(o => o.ServiceName = WindowsServiceName);
        services.AddSystemd();

        // Microsoft.Extensions.Hosting.Systemd 10.0 recognises systemd only as the direct parent process (or when
        // running as PID 1), so READY=1 would never be sent behind a wrapper script or with ProtectProc=invisible.
        // sd_notify(3) itself needs nothing but NOTIFY_SOCKET, and newer releases of the package accept it alone.
        if (!SystemdHelpers.IsSystemdService() && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
        {
            services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        // A notifier without NOTIFY_SOCKET is disabled and sends nothing; the watchdog and the start-up can always
        // depend on one. READY=1 is the start-up's to send, once (ReadyOnceNotifier).
        services.RemoveAll<ISystemdNotifier>();
        services.AddSingleton<ISystemdNotifier, ReadyOnceNotifier>();
        services.AddSingleton<IDoctorCheck, LogsFolderCheck>();
        return services;
    }
}
