using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Tests.Hosting;

public sealed class HostWiringTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Build_RealComposition_ValidatesOnBuildAndOnStart()
    {
        var builder = WorkerHost.CreateBuilder(new WorkerHostSettings
        {
            ContentRoot = AppContext.BaseDirectory,
            Overrides = new Dictionary<string, string?>
            {
                ["Storage:DatabasePath"] = _folder.File("worker.db"),
                ["Heartbeat:Path"] = _folder.File("heartbeat.json"),
                ["Logs:Directory"] = _folder.File("logs"),
            },
        });

        // The production builder already asks for ValidateOnBuild; asking again here makes the test independent of that.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        using var host = builder.Build();

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        host.Services.GetServices<IHostedService>().Should().NotBeEmpty()
            .And.Subject.First().Should().BeOfType<WorkerStartup>("options, schema and calendar come before every other hosted service");
        host.Services.GetServices<IDoctorCheck>().Select(c => c.Name).Should().Contain(["database", "heartbeat", "calendar"]);
    }

    [Fact]
    public void AppPaths_RelativePath_ResolvesAgainstBaseNotCurrentDirectory()
    {
        var paths = new AppPaths(_folder.Path);

        paths.Resolve("data/worker.db").Should().Be(Path.Combine(_folder.Path, "data", "worker.db"));
        paths.Resolve("/var/lib/krx/worker.db").Should().Be("/var/lib/krx/worker.db");
    }
}
