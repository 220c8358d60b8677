namespace KrxSignal.Worker.Health.Doctor;

internal static class FolderProbe
{
    /// <summary>Creates and deletes a probe file: the only reliable test of write access across platforms.</summary>
    public static bool CanCreateIn(string? folder, out string problem)
    {
        try
        {
            folder = string.IsNullOrEmpty(folder) ? "." : folder;
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".doctor-{Environment.ProcessId}.tmp");
            File.WriteAllText(probe, "probe");
            File.Delete(probe);
            problem = "";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
            return false;
        }
    }
}
