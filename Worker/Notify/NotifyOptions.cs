using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Notify;

public sealed class NotifyOptions : IValidatedOptions
{
    public static string Section => "Notify";

    public WebhookOptions Webhook { get; set; } = new();

    public TelegramOptions Telegram { get; set; } = new();

    /// <summary>Also send one digest message per predicted article.</summary>
    public bool Predictions { get; set; }

    public int MaxAttempts { get; set; } = 8;

    public void Validate(OptionsProblems problems)
    {
        problems.AbsoluteHttpUrl("Webhook:Url", Webhook.Url);
        problems.AbsoluteHttpUrl("Telegram:BaseUrl", Telegram.BaseUrl);
        if (!string.IsNullOrWhiteSpace(Telegram.BotToken))
        {
            problems.Required("Telegram:ChatId", Telegram.ChatId);
        }

        problems.InRange(nameof(MaxAttempts), MaxAttempts, 1, 100);
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
