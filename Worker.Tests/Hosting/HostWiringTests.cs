using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Tests.Hosting;

public sealed class HostWiringTests : IDisposable
{
    private readonly TestHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void Build_RealComposition_ValidatesOnBuildAndOnStart()
    {
        var builder = _host.CreateBuilder();

        // The production builder already asks for ValidateOnBuild; asking again here makes the test independent of that.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        using var host = builder.Build();

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        host.Services.GetServices<IHostedService>().Should().NotBeEmpty()
            .And.Subject.SkipWhile(s => s is HangupReload).First().Should().BeOfType<WorkerStartup>(
                "options, schema and calendar come before every other hosted service but the SIGHUP listener, which only listens so a hangup during start-up is a reload");
        host.Services.GetServices<IDoctorCheck>().Select(c => c.Name).Should().Contain(["database", "heartbeat", "calendar"]);
    }

    [Fact]
    public void AppPaths_RelativePath_ResolvesAgainstBaseNotCurrentDirectory()
    {
        var paths = new AppPaths(_host.Folder.Path);

        paths.Resolve("data/worker.db").Should().Be(Path.Combine(_host.Folder.Path, "data", "worker.db"));
        paths.Resolve("/var/lib/krx/worker.db").Should().Be("/var/lib/krx/worker.db");
    }
}
