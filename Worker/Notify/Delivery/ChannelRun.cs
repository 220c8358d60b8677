using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Notify.Outbox;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Notify.Delivery;

/// <summary>
/// One channel's part of a delivery run: claim the next due message, send it, record what the answer means.
/// A transient failure stops the channel for this run (the message backs off and the ones behind it keep their
/// order); a rejected message is set aside and the next one goes; 410 disables the channel and 401/403/404 block it,
/// and in both cases the message is released untouched to wait.
/// </summary>
internal sealed class ChannelRun(DeliveryClaims claims, ChannelStates states, IOptions<NotifyOptions> options, TimeProvider time, DeliveryLog log)
{
    /// <param name="runToken">Cancelled at shutdown or when the run's time is up.</param>
    /// <param name="timedOut">Cancelled only when the run's time is up: a send cut off by it is a failed attempt, not a shutdown.</param>
    public async Task<ChannelTally> RunAsync(INotificationChannel channel, ChannelState? state, string owner, bool deliverNow, CancellationToken runToken, CancellationToken timedOut)
    {
        var settings = options.Value;
        var tally = new ChannelTally(channel.Name);
        if (await IsStoppedAsync(channel, state, deliverNow, tally))
        {
            return tally;
        }

        var perMinute = channel.Name == TelegramChannel.ChannelName ? settings.TelegramPerMinute : (int?)null;
        while (!runToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var message = await claims.ClaimNextAsync(channel.Name, owner, now, now + settings.ClaimLease, deliverNow, perMinute, runToken);
            if (message is null)
            {
                break;
            }

            DeliveryResult result;
            try
            {
                result = await channel.SendAsync(message, runToken);
            }
            catch (OperationCanceledException) when (timedOut.IsCancellationRequested)
            {
                result = DeliveryResult.Failure($"no answer before the delivery run's limit of {settings.RunTimeout:c} (Notify:RunTimeout)");
            }
            catch (OperationCanceledException)
            {
                // Shutdown: hand the claim back so the next process need not wait out the lease. Whether the receiver
                // got it is unknown; a resend carries the same webhook-id.
                await claims.ReleaseAsync(message.NotificationId, channel.Name, owner, "interrupted by shutdown", time.GetUtcNow(), CancellationToken.None);
                throw;
            }

            // Recorded even when shutdown has begun: losing this commit means a redelivery (same webhook-id) or a lost failure.
            if (!await RecordAsync(channel, message, result, owner, tally, state))
            {
                break;
            }
        }

        return tally;
    }

    /// <summary>RetryDelay doubled per failed attempt, capped; a receiver's Retry-After wins when longer, within the same cap.</summary>
    public static TimeSpan Backoff(int failedAttempts, TimeSpan? retryAfter, NotifyOptions options)
    {
        var exponent = Math.Min(failedAttempts - 1, 20);
        var delay = TimeSpan.FromTicks(Math.Min(options.RetryDelay.Ticks * (1L << exponent), options.MaxRetryDelay.Ticks));
        if (retryAfter is { } asked && asked > delay)
        {
            delay = asked < options.MaxRetryDelay ? asked : options.MaxRetryDelay;
        }

        return delay;
    }

    private async Task<bool> IsStoppedAsync(INotificationChannel channel, ChannelState? state, bool deliverNow, ChannelTally tally)
    {
        var now = time.GetUtcNow();
        switch (state)
        {
            case { State: ChannelState.Disabled } when state.Target != channel.Target:
                await states.ClearAsync(channel.Name, CancellationToken.None);
                log.ReEnabled(channel.Name);
                return false;
            case { State: ChannelState.Disabled }:
                tally.Note = "disabled by 410 Gone";
                return true;
            case { State: ChannelState.Held, RetryAt: { } until } when until > now:
                tally.Note = $"held until {until:O} at the receiver's request";
                return true;
            case { State: ChannelState.Blocked, RetryAt: { } until } when until > now && !deliverNow:
                tally.Note = $"unhealthy ({state.Reason}); next probe {until:O}";
                return true;
            default:
                return false;
        }
    }

    /// <returns>Whether the channel may go on with its next message in this run.</returns>
    private async Task<bool> RecordAsync(INotificationChannel channel, OutboxMessage message, DeliveryResult result, string owner, ChannelTally tally, ChannelState? state)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var attempt = message.Attempts + 1;
        var error = result.Error ?? "unknown error";
        switch (result.Verdict)
        {
            case DeliveryVerdict.Delivered:
                await claims.MarkSentAsync(message.NotificationId, channel.Name, now, CancellationToken.None);
                if (state is { State: not ChannelState.Disabled })
                {
                    await states.ClearAsync(channel.Name, CancellationToken.None); // a probe got through: healthy again
                }

                tally.Sent++;
                log.Delivered(message, channel.Name, attempt, message.LateBy(now));
                return true;

            case DeliveryVerdict.Rejected:
                await claims.MarkAttemptFailedAsync(message.NotificationId, channel.Name, owner, error, null, now, CancellationToken.None);
                tally.Rejected++;
                log.Rejected(message, channel.Name, error);
                return true;

            case DeliveryVerdict.Gone:
                await claims.ReleaseAsync(message.NotificationId, channel.Name, owner, $"waiting: channel disabled ({error})", now, CancellationToken.None);
                await states.SetAsync(channel.Name, ChannelState.Disabled, error, channel.Target, now, null, CancellationToken.None);
                tally.Note = "disabled by 410 Gone";
                log.Disabled(channel.Name, error);
                return false;

            case DeliveryVerdict.Blocked:
                var probe = now + settings.BlockedProbeInterval;
                await claims.ReleaseAsync(message.NotificationId, channel.Name, owner, $"waiting: channel unhealthy ({error})", now, CancellationToken.None);
                await states.SetAsync(channel.Name, ChannelState.Blocked, error, channel.Target, now, probe, CancellationToken.None);
                tally.Note = $"unhealthy ({error})";
                log.Blocked(channel.Name, error, probe);
                return false;

            default:
                if (attempt >= settings.MaxAttempts)
                {
                    await claims.MarkAttemptFailedAsync(message.NotificationId, channel.Name, owner, error, null, now, CancellationToken.None);
                    tally.GaveUp++;
                    log.GaveUp(message, channel.Name, attempt, error);
                    return true; // this one is settled as failed; the next in line may go
                }

                var next = now + Backoff(attempt, result.RetryAfter, settings);
                await claims.MarkAttemptFailedAsync(message.NotificationId, channel.Name, owner, error, next, now, CancellationToken.None);
                if (result.RetryAfter is { } wait && wait > TimeSpan.Zero)
                {
                    // Flood control: the receiver asked the whole channel to wait, not just this message.
                    await states.SetAsync(channel.Name, ChannelState.Held, error, channel.Target, now, now + wait, CancellationToken.None);
                }

                tally.Failed++;
                log.AttemptFailed(message, channel.Name, attempt, settings.MaxAttempts, error, next);
                return false;
        }
    }
}

/// <summary>What one channel did in one run.</summary>
internal sealed class ChannelTally(string channel)
{
    public int Sent { get; set; }

    public int Failed { get; set; }

    public int GaveUp { get; set; }

    public int Rejected { get; set; }

    /// <summary>Why the channel stopped short, when it did for a reason of its own (disabled, unhealthy, held).</summary>
    public string? Note { get; set; }

    public override string ToString() =>
        FormattableString.Invariant($"{channel}: {Sent} sent{(Rejected > 0 ? $", {Rejected} rejected" : "")}{(Note is null ? "" : $", {Note}")}");
}
