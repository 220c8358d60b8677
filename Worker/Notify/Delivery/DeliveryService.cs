using System.Globalization;
using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Notify.Outbox;
using KrxSignal.Worker.Pipeline;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Notify.Delivery;

/// <summary>
/// One delivery run: expires what is too old, then works through each configured channel's due messages, one claim
/// at a time, in creation order. The whole run is bounded by Notify:RunTimeout, so a hanging receiver costs one run,
/// not the pipeline's minute. Overlapping runs (the daemon and poll-once, several poll-once) share the work through
/// the claims and never send one delivery twice.
/// </summary>
internal sealed class DeliveryService(
    DeliveryClaims claims,
    ChannelStates states,
    IEnumerable<INotificationChannel> channels,
    ChannelRun channelRun,
    IOptions<NotifyOptions> options,
    TimeProvider time,
    DeliveryLog log)
{
    public const string JobName = "deliver";

    private readonly IReadOnlyList<INotificationChannel> _channels = channels.ToList();

    /// <param name="deliverNow">Ignore each message's backoff and a blocked channel's probe time (poll-once); claims, expiry and flood control still hold.</param>
    public async Task<StageResult> RunAsync(bool deliverNow, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var timeout = new CancellationTokenSource(settings.RunTimeout, time);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var owner = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}");
        var expired = await claims.ExpireDueAsync(time.GetUtcNow(), cancellationToken);
        if (expired > 0)
        {
            log.Expired(expired);
        }

        var active = _channels.Where(c => c.IsConfigured).ToList();
        var known = await states.AllAsync(cancellationToken);
        var tallies = await Task.WhenAll(active.Select(c =>
            channelRun.RunAsync(c, known.FirstOrDefault(s => s.Channel == c.Name), owner, deliverNow, run.Token, timeout.Token)));
        var sent = tallies.Sum(t => t.Sent);
        var failed = tallies.Sum(t => t.Failed);
        var settled = tallies.Sum(t => t.GaveUp + t.Rejected);
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{sent} delivered, {failed} attempts failed, {settled} failed for good, {expired} expired ({string.Join(", ", tallies.Select(t => t.ToString()))})");
        if (sent + failed + settled + expired > 0 || tallies.Any(t => t.Note is not null))
        {
            log.Summary(summary);
        }

        var problems = failed + settled + tallies.Count(t => t.Note is not null);
        var outcome = problems == 0 ? StageOutcome.Ok : sent > 0 ? StageOutcome.Partial : StageOutcome.Failed;
        return new StageResult(outcome, sent, summary);
    }
}
