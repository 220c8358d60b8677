using Dapper;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>The model_settings table: each model's negotiated step, so a restart does not rediscover it.</summary>
public sealed class ModelSettingsStore(Database connections)
{
    public async Task<IReadOnlyDictionary<string, ModelSettings>> AllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ModelSettingsRow>(new CommandDefinition(
            "SELECT model_id AS ModelId, response_format AS ResponseFormat, temperature_dropped AS TemperatureDropped, reason AS Reason FROM model_settings;",
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.ModelId, r => new ModelSettings(r.ResponseFormat, r.TemperatureDropped != 0, r.Reason), StringComparer.Ordinal);
    }

    public async Task SaveAsync(string modelId, ModelSettings settings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO model_settings (model_id, response_format, temperature_dropped, reason, updated_at)
            VALUES (@modelId, @ResponseFormat, @dropped, @Reason, @now)
            ON CONFLICT (model_id) DO UPDATE SET
                response_format = excluded.response_format, temperature_dropped = excluded.temperature_dropped,
                reason = excluded.reason, updated_at = excluded.updated_at;
            """,
            new { modelId, settings.ResponseFormat, dropped = settings.TemperatureDropped ? 1 : 0, settings.Reason, now },
            cancellationToken: cancellationToken));
    }

    // Settable properties rather than a positional record: SQLite reports each value's own type, which Dapper's constructor matching rejects.
    private sealed record ModelSettingsRow
    {
        public string ModelId { get; init; } = "";

        public string ResponseFormat { get; init; } = "";

        public long TemperatureDropped { get; init; }

        public string? Reason { get; init; }
    }
}
