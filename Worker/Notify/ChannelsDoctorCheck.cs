using System.Data.Common;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Notify.Outbox;

namespace KrxSignal.Worker.Notify;

/// <summary>`doctor`: each configured channel, and whether the receivers' last answers disabled or blocked one.</summary>
internal sealed class ChannelsDoctorCheck(IEnumerable<INotificationChannel> channels, ChannelStates states) : IDoctorCheck
{
    public string Name => "notify";

    public async Task<DoctorResult> RunAsync(CancellationToken cancellationToken)
    {
        var configured = channels.Where(c => c.IsConfigured).Select(c => c.Name).ToList();
        IReadOnlyList<ChannelState> known;
        try
        {
            known = await states.AllAsync(cancellationToken);
        }
        catch (DbException)
        {
            known = []; // no database yet: no receiver has answered anything
        }

        var problems = known.Where(s => configured.Contains(s.Channel)).Select(NotificationsHealth.Describe).OfType<string>().ToList();
        if (problems.Count > 0)
        {
            return DoctorResult.Fail(string.Join("; ", problems), "Fix the receiver or the channel's settings; after a 410 run `Worker notify resume CHANNEL`");
        }

        return DoctorResult.Pass(configured.Count == 0 ? "no channel configured: signals are stored, not sent" : $"{string.Join(", ", configured)} configured and healthy");
    }
}
