using System.Globalization;
using System.Reflection;

namespace KrxSignal.Worker.Storage;

/// <summary>One schema step; <see cref="Version"/> is what the database records once it is applied.</summary>
internal sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>The SQLite steps shipped in this assembly (Storage/Migrations/NNNN_name.sql), in order from 1.</summary>
    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded(".Storage.Migrations.", mayStartAtBaseline: false);

    /// <summary>
    /// The PostgreSQL steps (Storage/Migrations/Postgres/NNNN_name.sql): the first is a baseline that creates the
    /// schema of its version whole, since PostgreSQL support began after several SQLite steps; then one per step.
    /// </summary>
    public static IReadOnlyList<Migration> EmbeddedPostgres { get; } = LoadEmbedded(".Storage.Migrations.Postgres.", mayStartAtBaseline: true);

    public static IReadOnlyList<Migration> For(StorageProvider provider) => provider == StorageProvider.Postgres ? EmbeddedPostgres : Embedded;

    private static List<Migration> LoadEmbedded(string marker, bool mayStartAtBaseline)
    {
        var assembly = typeof(Migration).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var at = resource.IndexOf(marker, StringComparison.Ordinal);
            var fileName = at < 0 ? "" : resource[(at + marker.Length)..];
            if (fileName.Length < 5 || !char.IsAsciiDigit(fileName[0]))
            {
                continue; // another folder's step
            }

            var version = int.Parse(fileName.AsSpan(0, 4), CultureInfo.InvariantCulture);
            migrations.Add(new Migration(version, Path.GetFileNameWithoutExtension(fileName)[5..], ReadResource(assembly, resource)));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        var first = mayStartAtBaseline && migrations.Count > 0 ? migrations[0].Version : 1;
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != first + i)
            {
                throw new InvalidOperationException($"Migrations must be numbered {first}, {first + 1}, {first + 2}… without gaps; found {migrations[i].Version} at position {i + 1}.");
            }
        }

        return migrations;
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
