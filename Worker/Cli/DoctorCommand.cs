using System.CommandLine;
using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Cli;

/// <summary>`Worker doctor`: every check, one line each, with the fix to try. Exit 0 when all pass, 2 otherwise.</summary>
internal static class DoctorCommand
{
    public static Command Create(WorkerHostSettings settings)
    {
        var command = new Command("doctor", "Check the configuration, calendar, database, heartbeat path, stock API and models.");
        command.SetAction(async (_, cancellationToken) =>
        {
            var quiet = settings with { ConsoleLogsToStandardError = true, WritesLogFiles = false };
            using var host = WorkerHost.CreateBuilder(quiet).Build();
            try
            {
                host.Services.GetRequiredService<IStartupValidator>().Validate();
                await PrintAsync("config", DoctorResult.Pass("every setting is valid"));
            }
            catch (Exception e) when (ConfigurationErrors.TryDescribe(e, out var message))
            {
                await PrintAsync("config", DoctorResult.Fail(message, "Fix the named key in appsettings.json or its environment variable"));
                return ExitCodes.Failed;
            }

            var allPassed = true;
            foreach (var check in host.Services.GetServices<IDoctorCheck>())
            {
                var result = await check.RunAsync(cancellationToken);
                allPassed &= result.Passed;
                await PrintAsync(check.Name, result);
            }

            return allPassed ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static async Task PrintAsync(string name, DoctorResult result)
    {
        await Console.Out.WriteLineAsync($"{(result.Warn ? "WARN" : result.Passed ? "PASS" : "FAIL")}  {name,-12} {result.Detail}");
        if (result.Fix is not null)
        {
            await Console.Out.WriteLineAsync($"      {"",-12} fix: {result.Fix}");
        }
    }
}
