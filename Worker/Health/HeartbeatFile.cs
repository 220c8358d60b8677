using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace KrxSignal.Worker.Health;

/// <summary>Reads and atomically replaces the heartbeat file, so a reader never sees half a document.</summary>
internal static class HeartbeatFile
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },

        // The document's metadata comes from the generated context; reflection serves only what it does not know
        // (the envelope `status --format json` wraps around it).
        TypeInfoResolver = JsonTypeInfoResolver.Combine(HeartbeatJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    public static async Task WriteAsync(string path, HeartbeatDocument document, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        // A fresh random name, created exclusively (O_CREAT|O_EXCL: a planted file or symlink makes it fail rather
        // than be followed), private to the user whatever the umask; the rename then replaces the heartbeat itself.
        var temporary = Path.Combine(string.IsNullOrEmpty(folder) ? "." : folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var create = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.WriteThrough,
        };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(temporary, create);
        try
        {
            await using (stream)
            {
                await JsonSerializer.SerializeAsync(stream, document, JsonOptions, cancellationToken);
            }
        }
        catch
        {
            File.Delete(temporary); // ours: CreateNew made it
            throw;
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
