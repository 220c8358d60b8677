using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Storage;

public sealed class StorageOptions : IValidatedOptions
{
    public static string Section => "Storage";

    /// <summary>The SQLite file, relative to the application folder unless absolute.</summary>
    public string DatabasePath { get; set; } = "data/worker.db";

    public void Validate(OptionsProblems problems) => problems.Required(nameof(DatabasePath), DatabasePath);
}
