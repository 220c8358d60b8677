using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Notify.Channels;

namespace KrxSignal.Worker.Notify;

internal sealed class NotifyOptions : IValidatedOptions
{
    public static string Section => "Notify";

    public WebhookOptions Webhook { get; set; } = new();

    public TelegramOptions Telegram { get; set; } = new();

    /// <summary>Also send one digest message per predicted article.</summary>
    public bool Predictions { get; set; }

    /// <summary>Digests are queued only for articles predicted this recently, so switching Predictions on does not flood old news.</summary>
    public TimeSpan PredictionsMaxAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A signal message not delivered this long after its signal expires. Unset: at the end of the signal's trading day's post-market window (20:00 KST).</summary>
    public TimeSpan? MaxAge { get; set; }

    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after a message's first failed attempt; doubled after each further failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>One HTTP attempt inside a delivery.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Quick retries of a transient HTTP failure inside one delivery attempt (1 s, 2 s, jittered); the outbox's backoff does the rest.</summary>
    public int HttpRetries { get; set; } = 2;

    /// <summary>How long a claimed delivery belongs to the process that claimed it; a killed process's claim is taken over after this.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A whole delivery run stops claiming and cancels its send after this: a hanging receiver delays only deliveries.</summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromSeconds(50);

    /// <summary>Telegram's flood control allows about 20 messages a minute to one chat.</summary>
    public int TelegramPerMinute { get; set; } = 20;

    /// <summary>How often a blocked channel (401/403/404) is probed again with its oldest message.</summary>
    public TimeSpan BlockedProbeInterval { get; set; } = TimeSpan.FromMinutes(5);

    public bool WebhookEnabled => !string.IsNullOrWhiteSpace(Webhook.Url);

    public bool TelegramEnabled => !string.IsNullOrWhiteSpace(Telegram.BotToken) && !string.IsNullOrWhiteSpace(Telegram.ChatId);

    /// <summary>The longest one send can take: every HTTP attempt, the pauses between them, and a second to spare.</summary>
    public TimeSpan SendBudget => AttemptTimeout * (HttpRetries + 1) + TimeSpan.FromSeconds((3 * HttpRetries) + 1);

    public void Validate(OptionsProblems problems)
    {
        problems.AbsoluteHttpUrl("Webhook:Url", Webhook.Url);
        WebhookSecret.Validate(problems, "Webhook:Secret", Webhook.Secret);
        WebhookSecret.Validate(problems, "Webhook:PreviousSecret", Webhook.PreviousSecret);
        problems.AbsoluteHttpUrl("Telegram:BaseUrl", Telegram.BaseUrl);
        problems.Required("Telegram:BaseUrl", Telegram.BaseUrl);
        if (!string.IsNullOrWhiteSpace(Telegram.BotToken))
        {
            problems.Required("Telegram:ChatId", Telegram.ChatId);
        }

        problems.InRange(nameof(MaxAttempts), MaxAttempts, 1, 100);
        problems.InRange(nameof(PredictionsMaxAge), PredictionsMaxAge, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
        if (MaxAge is { } maxAge)
        {
            problems.InRange(nameof(MaxAge), maxAge, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
        }

        problems.InRange(nameof(RetryDelay), RetryDelay, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        problems.InRange(nameof(MaxRetryDelay), MaxRetryDelay, RetryDelay, TimeSpan.FromDays(1));
        problems.InRange(nameof(AttemptTimeout), AttemptTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        problems.InRange(nameof(HttpRetries), HttpRetries, 0, 5);
        problems.InRange(nameof(RunTimeout), RunTimeout, SendBudget, TimeSpan.FromHours(1));

        // A claim must outlive the longest send, or a slow but live send could be taken over and doubled.
        problems.InRange(nameof(ClaimLease), ClaimLease, SendBudget + TimeSpan.FromSeconds(5), TimeSpan.FromHours(1));
        problems.InRange(nameof(TelegramPerMinute), TelegramPerMinute, 1, 30);
        problems.InRange(nameof(BlockedProbeInterval), BlockedProbeInterval, TimeSpan.FromSeconds(10), TimeSpan.FromHours(6));
    }
}
