using System.Diagnostics;

namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// Outside tools a test needs (node and npm, an npm package). Missing ones make the test report itself skipped with
/// the reason; with KRX_TESTS_REQUIRE_TOOLS=1 (CI sets it) a missing tool is a failure instead, so CI cannot pass
/// by skipping. Packages are installed once per test run into a shared cache folder.
/// </summary>
public static class RequiredTools
{
    public const string RequireVariable = "KRX_TESTS_REQUIRE_TOOLS";

    private static readonly Dictionary<string, Lazy<Task<string?>>> Packages = [];
    private static readonly Lock Gate = new();

    /// <summary>Skips (or, when tools are required, fails) the calling test unless <paramref name="available"/>.</summary>
    public static void Require(bool available, string reason)
    {
        if (available)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            throw new InvalidOperationException($"{reason} ({RequireVariable}=1: a missing tool fails the test)");
        }

        Skip.If(true, reason);
    }

    /// <summary>The folder holding node_modules/<paramref name="package"/> at <paramref name="version"/>, installed by npm on first use.</summary>
    public static async Task<string> NpmPackageAsync(string package, string version)
    {
        Require(await RunsAsync("node", "--version") && await RunsAsync("npm", "--version"), "node and npm are not installed");
        Lazy<Task<string?>> install;
        lock (Gate)
        {
            var key = $"{package}@{version}";
            if (!Packages.TryGetValue(key, out install!))
            {
                install = new Lazy<Task<string?>>(() => InstallAsync(package, version));
                Packages[key] = install;
            }
        }

        var folder = await install.Value;
        Require(folder is not null, $"npm could not install {package}@{version} (no registry?)");
        return folder!;
    }

    /// <summary>Runs <paramref name="file"/> with arguments and standard input; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(string file, string workingDirectory, string standardInput, params string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(standardInput);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task<string?> InstallAsync(string package, string version)
    {
        var folder = Path.Combine(Path.GetTempPath(), "krx-worker-tests-tools", $"{package}@{version}");
        var marker = Path.Combine(folder, "node_modules", package, "package.json");
        if (File.Exists(marker))
        {
            return folder;
        }

        Directory.CreateDirectory(folder);
        var (exitCode, _, _) = await RunAsync("npm", folder, "", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", folder, $"{package}@{version}");
        return exitCode == 0 && File.Exists(marker) ? folder : null;
    }

    private static async Task<bool> RunsAsync(string file, string args)
    {
        try
        {
            return (await RunAsync(file, Path.GetTempPath(), "", args)).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not on PATH
        }
    }
}
