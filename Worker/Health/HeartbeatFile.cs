using System.Text.Json;
using System.Text.Json.Serialization;

namespace KrxSignal.Worker.Health;

/// <summary>Reads and atomically replaces the heartbeat file, so a reader never sees half a document.</summary>
internal static class HeartbeatFile
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static async Task WriteAsync(string path, HeartbeatDocument document, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            await JsonSerializer.SerializeAsync(stream, document, JsonOptions, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <returns>The document, or null when the file does not exist.</returns>
    /// <exception cref="JsonException">The file is not a heartbeat document.</exception>
    public static async Task<HeartbeatDocument?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return await JsonSerializer.DeserializeAsync<HeartbeatDocument>(stream, JsonOptions, cancellationToken);
    }
}
