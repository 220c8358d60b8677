using System.Text.Json.Serialization;

namespace KrxSignal.Worker.Notify.Outbox;

// The webhook's JSON bodies (snake_case). They are serialized once, when the message is queued, and stored:
// a retry sends the very same bytes, so the receiver's idempotency check and our signature both hold.

internal sealed record SignalMessage(
    string Type,
    string Id,
    long SignalId,
    string Ticker,
    string? Name,
    string Action,
    double Score,
    double Confidence,
    string Reason,
    DateTimeOffset CreatedAt,
    bool Reversal,
    long? ReversesSignalId,
    IReadOnlyList<SignalVote> Votes,
    IReadOnlyList<SignalArticle> Articles);

/// <param name="Weight">The impact weight the vote counted with in the score.</param>
internal sealed record SignalVote(string Model, string ArticleId, string Direction, string Impact, double Confidence, double Weight, string? Reasoning);

internal sealed record SignalArticle(string Id, string Title, string? Url, string? Source, DateTimeOffset PublishedAt);

internal sealed record PredictionDigestMessage(
    string Type,
    string Id,
    DigestArticle Article,
    IReadOnlyList<DigestPrediction> Predictions,
    DateTimeOffset PredictedAt);

internal sealed record DigestArticle(string Id, string Ticker, string Title, string? Url, string? Source, DateTimeOffset PublishedAt);

internal sealed record DigestPrediction(string Model, string Status, string? Direction, string? Impact, double? Confidence, string? Reasoning);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SignalMessage))]
[JsonSerializable(typeof(PredictionDigestMessage))]
internal sealed partial class NotifyJsonContext : JsonSerializerContext;
