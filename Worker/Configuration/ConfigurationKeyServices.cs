using KrxSignal.Worker.Health.Doctor;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Configuration;

internal static class ConfigurationKeyServices
{
    /// <summary>Unknown keys and secrets in files: a warning each at start, and doctor's <c>config-keys</c> line.</summary>
    public static IServiceCollection AddConfigurationKeyChecks(this IServiceCollection services)
    {
        services.AddSingleton(provider => KnownKeys.From(provider.GetServices<RegisteredOptions>().Select(r => r.Type)));
        services.AddHostedService<ConfigurationWarnings>();
        services.AddSingleton<IDoctorCheck, ConfigurationKeysDoctorCheck>();
        return services;
    }

    public static IReadOnlyList<string> Findings(IConfiguration configuration, KnownKeys known) =>
        [.. ConfigurationKeyCheck.UnknownKeys(configuration, known), .. ConfigurationKeyCheck.SecretsInFiles(configuration)];
}

internal sealed partial class ConfigurationWarnings(IConfiguration configuration, KnownKeys known, ILogger<ConfigurationWarnings> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var finding in ConfigurationKeyServices.Findings(configuration, known))
        {
            Log.Finding(logger, finding);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration: {Finding}")]
        public static partial void Finding(ILogger logger, string finding);
    }
}

internal sealed class ConfigurationKeysDoctorCheck(IConfiguration configuration, KnownKeys known) : IDoctorCheck
{
    public string Name => "config-keys";

    public Task<DoctorResult> RunAsync(CancellationToken cancellationToken)
    {
        var findings = ConfigurationKeyServices.Findings(configuration, known);
        return Task.FromResult(findings.Count == 0
            ? DoctorResult.Pass("every key under the Worker's sections is one it reads; no secret is written in a file")
            : DoctorResult.Warning(string.Join("; ", findings), "Rename or remove the named keys; move secrets to environment variables"));
    }
}
