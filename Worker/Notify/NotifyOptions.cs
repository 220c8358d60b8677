using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Notify;

public sealed class NotifyOptions : IValidatedOptions
{
    public static string Section => "Notify";

    public WebhookOptions Webhook { get; set; } = new();

    public TelegramOptions Telegram { get; set; } = new();

    /// <summary>Also send one digest message per predicted article.</summary>
    public bool Predictions { get; set; }

    /// <summary>Digests are queued only for articles predicted this recently, so switching Predictions on does not flood old news.</summary>
    public TimeSpan PredictionsMaxAge { get; set; } = TimeSpan.FromDays(1);

    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after a message's first failed attempt; doubled after each further failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>One HTTP attempt inside a delivery.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Quick retries of a transient HTTP failure inside one delivery attempt (1 s, 2 s, jittered); the outbox's backoff does the rest.</summary>
    public int HttpRetries { get; set; } = 2;

    public bool WebhookEnabled => !string.IsNullOrWhiteSpace(Webhook.Url);

    public bool TelegramEnabled => !string.IsNullOrWhiteSpace(Telegram.BotToken) && !string.IsNullOrWhiteSpace(Telegram.ChatId);

    public void Validate(OptionsProblems problems)
    {
        problems.AbsoluteHttpUrl("Webhook:Url", Webhook.Url);
        problems.AbsoluteHttpUrl("Telegram:BaseUrl", Telegram.BaseUrl);
        problems.Required("Telegram:BaseUrl", Telegram.BaseUrl);
        if (!string.IsNullOrWhiteSpace(Telegram.BotToken))
        {
            problems.Required("Telegram:ChatId", Telegram.ChatId);
        }

        problems.InRange(nameof(MaxAttempts), MaxAttempts, 1, 100);
        problems.InRange(nameof(PredictionsMaxAge), PredictionsMaxAge, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
        problems.InRange(nameof(RetryDelay), RetryDelay, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        problems.InRange(nameof(MaxRetryDelay), MaxRetryDelay, RetryDelay, TimeSpan.FromDays(1));
        problems.InRange(nameof(AttemptTimeout), AttemptTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        problems.InRange(nameof(HttpRetries), HttpRetries, 0, 5);
    }
}

public sealed class WebhookOptions
{
    public string? Url { get; set; }

    /// <summary>HMAC-SHA256 key for the signature header. A secret.</summary>
    public string? Secret { get; set; }
}

public sealed class TelegramOptions
{
    public string BaseUrl { get; set; } = "https://api.telegram.org";

    /// <summary>A secret: it is part of the Bot API path, so request URLs are never logged.</summary>
    public string? BotToken { get; set; }

    public string? ChatId { get; set; }
}
