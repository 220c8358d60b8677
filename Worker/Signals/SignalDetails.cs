using System.Text.Json;
using System.Text.Json.Serialization;

namespace KrxSignal.Worker.Signals;

// signals.details: why a signal was made, frozen with it. The message, `Worker signals` and the heartbeat read it;
// nothing updates it. camelCase, like the rest of what operators read as JSON.

/// <param name="Name">The company name, as signals.name.</param>
/// <param name="Reverses">The opposite signal inside the dedup window that this one contradicts, as signals.reversal_of.</param>
public sealed record SignalDetails(
    string? Name,
    IReadOnlyList<VoteEvidence> Votes,
    IReadOnlyList<ArticleEvidence> Articles,
    ReversedSignal? Reverses = null);

/// <param name="Weight">The impact weight the vote counted with.</param>
/// <param name="Reasoning">A short excerpt of the model's reasoning, control characters removed.</param>
public sealed record VoteEvidence(
    string Model, string ArticleId, string Direction, string Impact, double Confidence, double Weight, string? Reasoning);

/// <param name="ArrivedAt">When the article was first ingested (news_articles.created_at): what the lookback is keyed on.</param>
public sealed record ArticleEvidence(string Id, string Title, string? Url, string? Source, DateTimeOffset PublishedAt, DateTimeOffset ArrivedAt);

public sealed record ReversedSignal(long SignalId, string Action, DateTimeOffset CreatedAt);

public static class SignalDetailsReader
{
    /// <summary>
    /// signals.details as stored; rows from before the column ('{}') or of a shape this version does not know read
    /// as no votes and no articles rather than failing a listing or a message.
    /// </summary>
    public static SignalDetails Read(string? json, string? name = null)
    {
        SignalDetails? details = null;
        try
        {
            details = string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize(json, SignalDetailsJson.Default.SignalDetails);
        }
        catch (JsonException)
        {
        }

        return new SignalDetails(details?.Name ?? name, details?.Votes ?? [], details?.Articles ?? [], details?.Reverses);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SignalDetails))]
public sealed partial class SignalDetailsJson : JsonSerializerContext;
