using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Notify.Outbox;
using KrxSignal.Worker.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Notify;

/// <summary>
/// The "notify" stage: queues new signals (and digests) and gives each a delivery row per configured channel.
/// It sends nothing: sending is the delivery job's (Delivery/DeliveryService), so a hanging receiver never holds
/// up the minute's predictions and signals.
/// </summary>
internal sealed partial class NotifyStage(
    OutboxIntake queue,
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
        var queued = await queue.EnqueueAsync(settings.Predictions ? now - settings.PredictionsMaxAge : null, cancellationToken);
        var active = _channels.Where(c => c.IsConfigured).Select(c => c.Name).ToList();
        var skipped = await queue.SyncChannelsAsync(active, now, cancellationToken);
        if (active.Count == 0)
        {
            if (skipped > 0 && Interlocked.Exchange(ref _warnedNoChannel, 1) == 0)
            {
                Log.NoChannel(logger, skipped);
            }

            return StageResult.Ok(0, $"no notification channel configured: {skipped} messages not sent");
        }

        var channelList = string.Join(", ", active);
        if (queued > 0)
        {
            Log.Queued(logger, queued, channelList);
        }

        return StageResult.Ok(queued, FormattableString.Invariant($"{queued} queued for {channelList}"));
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "No notification channel is configured (Notify:Webhook:Url, or Notify:Telegram:BotToken and ChatId): {Count} messages were marked 'skipped' and will not be sent. Messages created after a channel is configured are delivered")]
        public static partial void NoChannel(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Information, Message = "Notify: {Count} messages queued for {Channels}")]
        public static partial void Queued(ILogger logger, int count, string channels);
    }
}
