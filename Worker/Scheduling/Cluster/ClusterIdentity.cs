using Microsoft.Extensions.Configuration;

namespace KrxSignal.Worker.Scheduling.Cluster;

/// <summary>
/// Who this process is in the cluster. <see cref="NodeName"/> is the readable name (Cluster:NodeName or the machine's
/// name); <see cref="InstanceId"/> adds a random part so that two processes never share a Quartz instance id, not even
/// a restart of the same node while its last check-in row is still there: Quartz recognises its own check-in and fired
/// triggers by that id, and a shared one hides a dead node from its peers.
/// </summary>
public sealed record ClusterIdentity(string NodeName, string InstanceId)
{
    public const char Separator = '#';

    public static ClusterIdentity Create(IConfiguration configuration)
    {
        var configured = configuration[$"{ClusterOptions.Section}:{nameof(ClusterOptions.NodeName)}"];
        var name = string.IsNullOrWhiteSpace(configured) ? Environment.MachineName : configured.Trim();
        // Unique, not secret: a Guid's random bits come from the OS, where RandomNumberGenerator would load OpenSSL
        // (libcrypto and libssl) during every start, clustered or not, for these 32 bits alone.
        return new ClusterIdentity(name, $"{name}{Separator}{Guid.NewGuid().ToString("N")[..8]}");
    }

    /// <summary>The readable part of another node's instance id.</summary>
    public static string NameOf(string instanceId)
    {
        var cut = instanceId.LastIndexOf(Separator);
        return cut > 0 ? instanceId[..cut] : instanceId;
    }
}
