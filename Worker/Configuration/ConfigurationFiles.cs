using Microsoft.Extensions.Hosting;

namespace KrxSignal.Worker.Configuration;

/// <summary>
/// Where the configuration files are first read: a JSON syntax error, a folder where a file should be, or a file
/// that cannot be opened becomes one <see cref="ConfigurationFileException"/> line instead of a host stack trace.
/// </summary>
internal static class ConfigurationFiles
{
    public static HostApplicationBuilder Load(Func<HostApplicationBuilder> create, string contentRoot)
    {
        foreach (var path in Candidates(contentRoot))
        {
            CheckReadable(path);
        }

        try
        {
            return create();
        }
        catch (InvalidDataException e)
        {
            throw ConfigurationFileException.FromJson(e);
        }
    }

    /// <summary>The files the host may read: appsettings.json and any appsettings.{Environment}.json beside it.</summary>
    private static IEnumerable<string> Candidates(string contentRoot) =>
        Directory.Exists(contentRoot)
            ? Directory.EnumerateFileSystemEntries(contentRoot, "appsettings*.json", SearchOption.TopDirectoryOnly)
            : [];

    private static void CheckReadable(string path)
    {
        // The JSON provider silently skips an optional file it cannot see: a folder named appsettings.json would
        // leave every setting at its default.
        if (Directory.Exists(path))
        {
            throw ConfigurationFileException.Create(path, null, "is a folder, not a file");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ConfigurationFileException.Create(path, null, $"cannot be read: {e.Message}", e);
        }
    }
}
