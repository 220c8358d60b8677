using System.Runtime.InteropServices;
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

    /// <summary>The recorded JSON answer; held as its UTF-8 text, so a day of recordings is not a day of parsed documents.</summary>
    [JsonPropertyName("body")]
    public JsonElement? Body
    {
        get
        {
            if (BodyUtf8 is not { } utf8)
            {
                return null;
            }

            var reader = new Utf8JsonReader(utf8);
            return JsonElement.ParseValue(ref reader);
        }

        init => BodyUtf8 = value is { } element ? JsonMarshal.GetRawUtf8Value(element).ToArray() : null;
    }

    /// <summary><see cref="Body"/> as the UTF-8 bytes served to the client, without parsing it.</summary>
    [JsonIgnore]
    public byte[]? BodyUtf8 { get; private init; }

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
