namespace KrxSignal.Worker.Notify;

internal sealed class WebhookOptions
{
    public string? Url { get; set; }

    /// <summary>The Standard Webhooks signing secret, <c>whsec_</c> and base64 (`Worker notify new-secret`). A secret.</summary>
    public string? Secret { get; set; }

    /// <summary>The secret being rotated out: while set, every message carries a signature by each. A secret.</summary>
    public string? PreviousSecret { get; set; }
}

internal sealed class TelegramOptions
{
    public string BaseUrl { get; set; } = "https://api.telegram.org";

    /// <summary>A secret: it is part of the Bot API path, so request URLs are never logged.</summary>
    public string? BotToken { get; set; }

    public string? ChatId { get; set; }
}
