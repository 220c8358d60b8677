using System.Management.Automation.Language;

namespace KrxSignal.Worker.Tests.Deploy;

/// <summary>install-service.ps1 cannot be run here, but PowerShell's own parser can read it: syntax, help and parameters.</summary>
public sealed class InstallServiceScriptTests
{
    private static readonly string ScriptPath = Path.Combine(RepositoryRoot(), "install-service.ps1");

    [Fact]
    public void ParseFile_InstallServiceScript_HasNoErrors()
    {
        Parser.ParseFile(ScriptPath, out _, out var errors);

        errors.Should().BeEmpty(string.Join(Environment.NewLine, errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}")));
    }

    [Fact]
    public void ParseFile_InstallServiceScript_DeclaresTheDocumentedParameters()
    {
        var script = Parser.ParseFile(ScriptPath, out _, out _);

        var parameters = script.ParamBlock.Parameters.ToDictionary(p => p.Name.VariablePath.UserPath, p => p.StaticType, StringComparer.OrdinalIgnoreCase);
        parameters.Should().ContainKeys("Install", "Uninstall", "ServiceName", "InstallDir", "Account", "DataDir", "Secret", "RemoveData");
        parameters["Install"].Should().Be<System.Management.Automation.SwitchParameter>();
        parameters["Uninstall"].Should().Be<System.Management.Automation.SwitchParameter>();
        parameters["StockApiKey"].Should().Be<System.Security.SecureString>("a secret is never typed in plain text on the command line");
        script.ParamBlock.Attributes.Should().Contain(a => a.TypeName.Name == "CmdletBinding"
            && a.NamedArguments.Any(n => n.ArgumentName == "SupportsShouldProcess"), "-WhatIf must be supported");
    }

    [Fact]
    public void GetHelpContent_InstallServiceScript_DocumentsEveryParameter()
    {
        var script = Parser.ParseFile(ScriptPath, out _, out _);

        var help = script.GetHelpContent();

        help.Should().NotBeNull("the script has comment-based help for Get-Help");
        help!.Synopsis.Should().NotBeNullOrWhiteSpace();
        help.Examples.Should().NotBeEmpty();
        help.Parameters.Keys.Select(k => k.ToUpperInvariant()).Should().BeEquivalentTo(
            script.ParamBlock.Parameters.Select(p => p.Name.VariablePath.UserPath.ToUpperInvariant()));
    }

    [Fact]
    public void InstallServiceScript_RecoveryCommands_UseScExeNotTheSetContentAlias()
    {
        var script = Parser.ParseFile(ScriptPath, out _, out _);

        var commands = script.FindAll(a => a is CommandAst, searchNestedScriptBlocks: true).Cast<CommandAst>().Select(c => c.GetCommandName()).ToList();
        var strings = script.FindAll(a => a is StringConstantExpressionAst, searchNestedScriptBlocks: true).Cast<StringConstantExpressionAst>().Select(s => s.Value).ToList();

        commands.Should().NotContain("sc", "in PowerShell 'sc' is Set-Content");
        strings.Should().Contain(["failure", "failureflag", "delayed-auto", "reset=", "actions="]);
        strings.Should().Contain("restart/60000/restart/60000/restart/300000");
    }

    [Fact]
    public void InstallServiceScript_PublishCommand_PublishesReadyToRunForWinX64()
    {
        var script = Parser.ParseFile(ScriptPath, out _, out _);

        var publish = script.FindAll(a => a is ArrayLiteralAst array && array.Elements.OfType<StringConstantExpressionAst>().Any(e => e.Value == "publish"), searchNestedScriptBlocks: true)
            .Cast<ArrayLiteralAst>().Should().ContainSingle().Subject.Elements.OfType<StringConstantExpressionAst>().Select(e => e.Value).ToList();

        publish.Should().Contain(["-p:PublishReadyToRun=true", "win-x64", "--self-contained", "false"]);
    }

    [Fact]
    public void InstallShellScript_PublishCommand_PublishesReadyToRunForLinuxX64()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "deploy", "systemd", "install.sh"));

        var start = Array.FindIndex(lines, l => l.Contains("\"$dotnet_bin\" publish", StringComparison.Ordinal));
        start.Should().BeGreaterThanOrEqualTo(0, "install.sh publishes the Worker");
        var end = start;
        while (lines[end].TrimEnd().EndsWith('\\'))
        {
            end++; // The command goes on over backslash-continued lines.
        }

        var command = string.Join(" ", lines[start..(end + 1)]);
        command.Should().Contain("-r linux-x64").And.Contain("-p:PublishReadyToRun=true");
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Worker.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Worker.sln not found above the test output folder.");
    }
}
