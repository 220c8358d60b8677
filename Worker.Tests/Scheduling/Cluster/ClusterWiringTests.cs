using FluentAssertions;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Scheduling.Cluster;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Tests.Scheduling.Cluster;

/// <summary>The production composition with each provider: the cluster's parts are there only on PostgreSQL.</summary>
public sealed class ClusterWiringTests : IDisposable
{
    private readonly TestHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void Build_Postgres_SchemaBeforeTheRegistrarsAndClusterHealthAndDoctor()
    {
        using var host = _host.Build(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=krx;Username=krx",
            ["Cluster:NodeName"] = "node-a",
        });

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        var hosted = host.Services.GetServices<IHostedService>().ToList();
        hosted.FindIndex(s => s is QuartzSchema).Should().BeGreaterThan(-1)
            .And.BeLessThan(hosted.FindIndex(s => s is MarketScheduleRegistrar), "the scheduler the registrar builds validates the schema");
        host.Services.GetServices<IHeartbeatContributor>().OfType<ClusterHealthContributor>().Should().ContainSingle();
        host.Services.GetServices<IDoctorCheck>().Select(c => c.Name).Should().Contain("cluster");
        var identity = host.Services.GetRequiredService<ClusterIdentity>();
        identity.NodeName.Should().Be("node-a");
        identity.InstanceId.Should().MatchRegex("^node-a#[0-9a-f]{8}$");
    }

    [Fact]
    public void Build_Sqlite_NoClusterPartsAndTheMachineAsNodeName()
    {
        using var host = _host.Build();

        host.Services.GetServices<IHostedService>().OfType<QuartzSchema>().Should().BeEmpty();
        host.Services.GetServices<IHeartbeatContributor>().OfType<ClusterHealthContributor>().Should().BeEmpty();
        host.Services.GetServices<IDoctorCheck>().Select(c => c.Name).Should().NotContain("cluster");
        host.Services.GetRequiredService<ClusterIdentity>().NodeName.Should().Be(Environment.MachineName);
    }

    [Theory]
    [InlineData("node a", "Cluster:NodeName must be 1 to 64 letters")]
    [InlineData(null, "Cluster:CheckinInterval must be between")]
    public void Validate_BadClusterSetting_NamesTheKey(string? nodeName, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Cluster:NodeName"] = nodeName };
        if (nodeName is null)
        {
            settings["Cluster:CheckinInterval"] = "00:00:00.050";
        }

        using var host = _host.Build(settings);

        var act = () => host.Services.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().WithMessage($"*{expected}*");
    }
}
