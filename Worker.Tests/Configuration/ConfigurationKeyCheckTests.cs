using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Tests.Configuration;

public sealed class ConfigurationKeyCheckTests : IDisposable
{
    /// <summary>What the production composition registers.</summary>
    private static readonly KnownKeys Known = ProductionKnownKeys();

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static KnownKeys ProductionKnownKeys()
    {
        using var host = new TestHost();
        using var built = host.CreateBuilder().Build();
        return built.Services.GetRequiredService<KnownKeys>();
    }

    [Fact]
    public void UnknownKeys_MisspeltKeys_NamedWithTheClosestKnownKey()
    {
        var configuration = Memory(new()
        {
            ["StockApi:BaseUlr"] = "http://x",
            ["StockApi:CacheTtl:Portfolo"] = "00:01:00",
            ["Models:0:Id"] = "lexicon",
            ["Models:0:Modle"] = "gpt",
            ["Notify:Telegram:ChatID"] = "42",
            ["Clock:StartAt"] = "2026-11-24T10:10:40+09:00",
            ["Logging:LogLevel:Default"] = "Information",
        });

        var unknown = ConfigurationKeyCheck.UnknownKeys(configuration, Known);

        unknown.Should().BeEquivalentTo(
            "StockApi:BaseUlr is not a setting the Worker reads (did you mean StockApi:BaseUrl?)",
            "StockApi:CacheTtl:Portfolo is not a setting the Worker reads (did you mean StockApi:CacheTtl:Portfolio?)",
            "Models:0:Modle is not a setting the Worker reads (did you mean Models:0:Model?)");
    }

    [Fact]
    public void UnknownKeys_ShippedAppSettings_FindsNone()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(WorkerProcess.OutputDirectory, "appsettings.json")).Build();

        ConfigurationKeyCheck.UnknownKeys(configuration, Known).Should().BeEmpty();
    }

    [Fact]
    public void KnownKeys_EveryOptionsSection_IsReflected()
    {
        Known.Sections.Keys.Should().Contain(["StockApi", "Storage", "Heartbeat", "Logs", "Watchdog", "Calendar", "Models", "Predictions", "Signals", "Notify", "Clock"]);
        Known.Sections["Models"].Kind.Should().Be(KeyKind.Array);
        Known.Sections["StockApi"].Children.Should().ContainKeys("BaseUrl", "ApiKey").And.NotContainKey("PollingEnabled", "a computed value is not a setting");
    }

    [Fact]
    public void KnownKeys_EveryOptionsClassInTheAssembly_IsRegisteredByTheHost()
    {
        using var host = new TestHost();
        using var built = host.CreateBuilder().Build();
        var registered = built.Services.GetServices<RegisteredOptions>().Select(r => r.Type).ToHashSet();

        var declared = typeof(IValidatedOptions).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IValidatedOptions).IsAssignableFrom(t));

        declared.Should().OnlyContain(t => registered.Contains(t), "a key of an options class the host does not register would be reported unknown");
    }

    [Fact]
    public void UnknownKeys_ListSectionWithAName_SaysItIsAList()
    {
        var unknown = ConfigurationKeyCheck.UnknownKeys(Memory(new() { ["Models:openai:Id"] = "x" }), Known);

        unknown.Should().ContainSingle().Which.Should().Contain("Models:openai is not a setting").And.Contain("Models:0");
    }

    [Fact]
    public void SecretsInFiles_KeysWrittenInAFile_NamedWithoutTheirValues()
    {
        var file = _folder.File("appsettings.json");
        File.WriteAllText(file, """
            {"StockApi":{"ApiKey":"sk-FILE-SECRET"},"Notify":{"Webhook":{"Secret":"hmac-FILE-SECRET"},"Telegram":{"BotToken":"123:FILE-SECRET"}},
             "Storage":{"ConnectionString":"Data Source=w.db;Password=pw-FILE-SECRET"}}
            """);
        var configuration = new ConfigurationBuilder().AddJsonFile(file)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["StockApi:ApiKey"] = "from-the-environment" }).Build();

        var found = ConfigurationKeyCheck.SecretsInFiles(configuration);

        found.Should().HaveCount(4);
        found.Should().Contain(f => f.StartsWith("StockApi:ApiKey is set in", StringComparison.Ordinal) && f.Contains("StockApi__ApiKey", StringComparison.Ordinal));
        found.Should().Contain(f => f.StartsWith("Notify:Webhook:Secret", StringComparison.Ordinal));
        found.Should().Contain(f => f.StartsWith("Notify:Telegram:BotToken", StringComparison.Ordinal));
        found.Should().Contain(f => f.StartsWith("Storage:ConnectionString (its password)", StringComparison.Ordinal));
        string.Join("\n", found).Should().NotContain("FILE-SECRET").And.NotContain("from-the-environment");
    }

    [Fact]
    public void SecretsInFiles_SecretsOnlyInTheEnvironment_FindsNone()
    {
        var file = _folder.File("appsettings.json");
        File.WriteAllText(file, """{"StockApi":{"ApiKey":""},"Storage":{"ConnectionString":"Data Source=w.db"}}""");
        var configuration = new ConfigurationBuilder().AddJsonFile(file)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["StockApi:ApiKey"] = "from-the-environment" }).Build();

        ConfigurationKeyCheck.SecretsInFiles(configuration).Should().BeEmpty();
    }

    private static IConfiguration Memory(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
