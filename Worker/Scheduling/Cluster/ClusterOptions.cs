using System.Text.RegularExpressions;
using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Scheduling.Cluster;

/// <summary>
/// How this node takes part in a Quartz cluster (only with <c>Storage:Provider</c> = <c>postgres</c>). Every node
/// checks in every <see cref="CheckinInterval"/>; a node silent for that plus <see cref="CheckinMisfireThreshold"/>
/// is declared dead and its work is taken over by the others.
/// </summary>
public sealed partial class ClusterOptions : IValidatedOptions
{
    public static string Section => "Cluster";

    /// <summary>The name this node shows in logs, the heartbeat, `status` and job_runs.node; the machine's name when unset.</summary>
    public string? NodeName { get; set; }

    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);

    public TimeSpan CheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(7.5);

    /// <summary>The clock difference `doctor` accepts between this node and the database server or another node.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromSeconds(1);

    public void Validate(OptionsProblems problems)
    {
        if (NodeName is not null && !NodeNamePattern().IsMatch(NodeName))
        {
            problems.Add(nameof(NodeName), "must be 1 to 64 letters, digits, '.', '_' or '-'");
        }

        problems.InRange(nameof(CheckinInterval), CheckinInterval, TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(5));
        problems.InRange(nameof(CheckinMisfireThreshold), CheckinMisfireThreshold, TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(5));
        problems.InRange(nameof(MaxClockSkew), MaxClockSkew, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NodeNamePattern();
}
