using System.Globalization;
using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Notify.Outbox;
using KrxSignal.Worker.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Notify;

/// <summary>
/// The "notify" stage: queues new signals (and digests), then works through each configured channel's pending
/// messages in creation order. A failure stops that channel for this run, so a later message never overtakes an
/// earlier one; the failed message waits out its backoff (ignored when <see cref="StageContext.DeliverNow"/>).
/// </summary>
public sealed partial class NotifyStage(
    OutboxStore store,
    IEnumerable<INotificationChannel> channels,
    IOptions<NotifyOptions> options,
    TimeProvider time,
    ILogger<NotifyStage> logger) : IPipelineStage
{
    public const string StageName = "notify";

    private readonly IReadOnlyList<INotificationChannel> _channels = channels.ToList();
    private int _warnedNoChannel;

    public string Name => StageName;

    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var queued = await store.EnqueueAsync(settings.Predictions ? now - settings.PredictionsMaxAge : null, cancellationToken);
        var active = _channels.Where(c => c.IsConfigured).ToList();
        var skipped = await store.SyncChannelsAsync(active.Select(c => c.Name).ToList(), now, cancellationToken);
        if (active.Count == 0)
        {
            if (skipped > 0 && Interlocked.Exchange(ref _warnedNoChannel, 1) == 0)
            {
                Log.NoChannel(logger, skipped);
            }

            return StageResult.Ok(0, $"no notification channel configured: {skipped} messages not sent");
        }

        var tallies = await Task.WhenAll(active.Select(c => DeliverAsync(c, context.DeliverNow, cancellationToken)));
        var sent = tallies.Sum(t => t.Sent);
        var failed = tallies.Sum(t => t.Failed);
        var exhausted = tallies.Sum(t => t.Exhausted);
        var waiting = tallies.Sum(t => t.Waiting);
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{queued} queued, {sent} delivered, {failed} attempts failed, {exhausted} given up, {waiting} waiting ({string.Join(", ", tallies.Select(t => t.ToString()))})");
        if (queued + sent + failed + exhausted > 0)
        {
            Log.Summary(logger, summary);
        }

        var outcome = failed + exhausted == 0 ? StageOutcome.Ok : sent > 0 ? StageOutcome.Partial : StageOutcome.Failed;
        return new StageResult(outcome, sent, summary);
    }

    private async Task<ChannelTally> DeliverAsync(INotificationChannel channel, bool deliverNow, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var pending = await store.LoadPendingAsync(channel.Name, cancellationToken);
        var tally = new ChannelTally(channel.Name);
        for (var i = 0; i < pending.Count; i++)
        {
            var message = pending[i];
            var now = time.GetUtcNow();
            if (!deliverNow && message.NextAttemptAt > now)
            {
                tally.Waiting = pending.Count - i; // the head is backing off; the rest queue behind it to keep the order
                break;
            }

            var result = await channel.SendAsync(message, cancellationToken);
            if (result.Delivered)
            {
                // Recorded even when shutdown has begun: the receiver has the message, and losing this commit
                // means a redelivery (with the same Idempotency-Key, so the receiver can drop it).
                await store.MarkSentAsync(message.NotificationId, channel.Name, time.GetUtcNow(), CancellationToken.None);
                tally.Sent++;
                Log.Delivered(logger, message.NotificationId, message.Kind, channel.Name, message.Attempts + 1);
                continue;
            }

            var attempt = message.Attempts + 1;
            var error = result.Error ?? "unknown error";
            if (attempt >= settings.MaxAttempts)
            {
                await store.MarkAttemptFailedAsync(message.NotificationId, channel.Name, error, null, time.GetUtcNow(), CancellationToken.None);
                tally.Exhausted++;
                Log.GaveUp(logger, message.NotificationId, message.Kind, channel.Name, attempt, error);
                continue; // this one is settled as failed; the next in line may go
            }

            var next = now + Backoff(attempt, result.RetryAfter, settings);
            await store.MarkAttemptFailedAsync(message.NotificationId, channel.Name, error, next, time.GetUtcNow(), CancellationToken.None);
            tally.Failed++;
            tally.Waiting = pending.Count - i;
            Log.AttemptFailed(logger, message.NotificationId, message.Kind, channel.Name, attempt, settings.MaxAttempts, error, next);
            break;
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

    private sealed class ChannelTally(string channel)
    {
        public int Sent { get; set; }

        public int Failed { get; set; }

        public int Exhausted { get; set; }

        public int Waiting { get; set; }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{channel}: {Sent} sent, {Waiting} waiting");
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Notification {NotificationId} ({Kind}) delivered by {Channel} on attempt {Attempt}")]
        public static partial void Delivered(ILogger logger, long notificationId, string kind, string channel, int attempt);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} ({Kind}) not delivered by {Channel}, attempt {Attempt} of {MaxAttempts}: {Error}. Next attempt at {NextAttemptAt:o}")]
        public static partial void AttemptFailed(ILogger logger, long notificationId, string kind, string channel, int attempt, int maxAttempts, string error, DateTimeOffset nextAttemptAt);

        [LoggerMessage(Level = LogLevel.Error, Message = "Notification {NotificationId} ({Kind}) FAILED on {Channel} after {Attempts} attempts, last error: {Error}. It stays in the notifications table with status 'failed'")]
        public static partial void GaveUp(ILogger logger, long notificationId, string kind, string channel, int attempts, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "No notification channel is configured (Notify:Webhook:Url, or Notify:Telegram:BotToken and ChatId): {Count} messages were marked 'skipped' and will not be sent. Messages created after a channel is configured are delivered")]
        public static partial void NoChannel(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Information, Message = "Notify: {Summary}")]
        public static partial void Summary(ILogger logger, string summary);
    }
}
