using System.Text.Json;
using System.Text.Json.Serialization;

namespace KrxSignal.Worker.Replay;

/// <summary>
/// One recorded upstream exchange: one line of a replay file (JSON Lines). A line carries either an
/// HTTP answer (<see cref="Status"/> with <see cref="Body"/> as JSON, or <see cref="BodyText"/> when the
/// answer was not JSON) or a <see cref="Failure"/> where no answer came, so outages replay as outages.
/// </summary>
internal sealed record ReplayRecord
{
    /// <summary>When the request was sent, in KST (+09:00).</summary>
    [JsonPropertyName("time")]
    public required DateTimeOffset Time { get; init; }

    /// <summary>portfolio, news-sentiment or screener.</summary>
    [JsonPropertyName("endpoint")]
    public required string Endpoint { get; init; }

    [JsonPropertyName("status")]
    public int? Status { get; init; }

    [JsonPropertyName("latencyMs")]
    public long LatencyMs { get; init; }

    [JsonPropertyName("retryAfter")]
    public string? RetryAfter { get; init; }

    [JsonPropertyName("body")]
    public JsonElement? Body { get; init; }

    [JsonPropertyName("bodyText")]
    public string? BodyText { get; init; }

    /// <summary>"timeout" (no answer within the attempt timeout) or "connection" (refused or reset).</summary>
    [JsonPropertyName("failure")]
    public string? Failure { get; init; }

    public static class Failures
    {
        public const string Timeout = "timeout";
        public const string Connection = "connection";
    }
}
