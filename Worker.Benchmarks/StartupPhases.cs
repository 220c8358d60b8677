using System.Diagnostics;
using System.Globalization;
using KrxSignal.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Benchmarks;

/// <summary>
/// Where the Worker's start-up goes, phase by phase: the daemon's own host built in this process (first use of
/// its code, so the JIT cost is the real one), then each hosted service started in registration order, as
/// Host.StartAsync does, each timed on its own. Empty database, night clock, no upstream.
/// </summary>
public static class StartupPhases
{
    public static async Task<List<(string Phase, double Seconds)>> MeasureAsync()
    {
        var scratch = WorkerBinary.NewScratch("phases");
        var phases = new List<(string, double)>();
        var clock = Stopwatch.StartNew();
        void Mark(string phase)
        {
            phases.Add((phase, clock.Elapsed.TotalSeconds));
            clock.Restart();
        }

        var builder = WorkerHost.CreateBuilder(new WorkerHostSettings
        {
            ContentRoot = Path.GetDirectoryName(WorkerBinary.Dll)!,
            ConsoleLogsToStandardError = true,
            Overrides = new Dictionary<string, string?>
            {
                ["Storage:DatabasePath"] = Path.Combine(scratch, "worker.db"),
                ["Heartbeat:Path"] = Path.Combine(scratch, "heartbeat.json"),
                ["Logs:Directory"] = Path.Combine(scratch, "logs"),
                ["Clock:StartAt"] = "2026-11-24T23:00:00+09:00",
            },
        });
        Mark("host builder created (configuration, logging, service registrations)");
        using var host = builder.Build();
        Mark("host built (service provider)");
        host.Services.GetService<IStartupValidator>()?.Validate();
        Mark("options validated");
        var started = new List<IHostedService>();
        foreach (var service in host.Services.GetServices<IHostedService>())
        {
            if (service is IHostedLifecycleService lifecycle)
            {
                await lifecycle.StartingAsync(CancellationToken.None);
            }

            await service.StartAsync(CancellationToken.None);
            if (service is IHostedLifecycleService lifecycleStarted)
            {
                await lifecycleStarted.StartedAsync(CancellationToken.None);
            }

            started.Add(service);
            Mark($"started {Describe(service)}");
        }

        // Some services wait for the application to stop; a stop that hangs must not hold the benchmark.
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        started.Reverse();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        foreach (var service in started)
        {
            await Task.WhenAny(service.StopAsync(patience.Token), Task.Delay(TimeSpan.FromSeconds(5), TimeProvider.System));
        }

        WorkerBinary.Delete(scratch);
        return phases;
    }

    public static void Print(List<(string Phase, double Seconds)> phases)
    {
        Console.WriteLine("worker start-up phases (in process: the daemon's host built and each hosted service started and timed on its own)");
        foreach (var (phase, seconds) in phases)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {seconds,6:0.000} s  {phase}"));
        }

        // The daemon sends READY=1 at the end of WorkerStartup; everything after it starts once systemd has been told.
        var untilReady = phases.TakeWhile(p => !p.Phase.StartsWith("started WorkerStartup", StringComparison.Ordinal)).Sum(p => p.Seconds)
            + phases.Where(p => p.Phase.StartsWith("started WorkerStartup", StringComparison.Ordinal)).Sum(p => p.Seconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {untilReady,6:0.000} s  up to READY=1 (sent at the end of WorkerStartup; runtime start not included)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {phases.Sum(p => p.Seconds),6:0.000} s  total"));
    }

    private static string Describe(IHostedService service) => service.GetType().Name switch
    {
        "WorkerStartup" => "WorkerStartup (migrations and PRAGMA quick_check, calendar load beside them; READY=1 is sent here)",
        "MarketScheduleRegistrar" => "MarketScheduleRegistrar (schedule built from the calendar, triggers registered)",
        "QuartzHostedService" => "QuartzHostedService (scheduler created and started)",
        "HeartbeatWriter" => "HeartbeatWriter (timer armed; the first heartbeat is written by its loop, after start-up)",
        var name => name,
    };
}
