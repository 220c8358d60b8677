using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Tests.Configuration;

public sealed class OptionsValidationTests : IDisposable
{
    private readonly TestHost _host = new();

    public void Dispose() => _host.Dispose();

    [Theory]
    [InlineData("StockApi:AttemptTimeout", "00:00:00", "StockApi:AttemptTimeout must be between")]
    [InlineData("StockApi:MaxRetries", "-1", "StockApi:MaxRetries must be between")]
    [InlineData("StockApi:BaseUrl", "nas.local", "StockApi:BaseUrl must be an absolute")]
    [InlineData("StockApi:CacheTtl:Portfolio", "02:00:00", "StockApi:CacheTtl:Portfolio must be between")]
    [InlineData("Heartbeat:Interval", "00:00:00", "Heartbeat:Interval must be between")]
    [InlineData("Predictions:MaxConcurrentArticles", "0", "Predictions:MaxConcurrentArticles must be between")]
    [InlineData("Signals:BuyThreshold", "1.5", "Signals:BuyThreshold must be between")]
    [InlineData("Models:0:Provider", "gemini", "Models:0:Provider must be one of")]
    [InlineData("Notify:Webhook:Url", "ftp://hooks.example", "Notify:Webhook:Url must be an absolute")]
    [InlineData("StockApi:AttemptTimeout", "ten seconds", "'StockApi:AttemptTimeout'")]
    public void Validate_BadValue_NamesTheKey(string key, string value, string expected)
    {
        using var host = BuildHost(new Dictionary<string, string?> { [key] = value });

        var act = () => host.Services.GetRequiredService<IStartupValidator>().Validate();

        var thrown = act.Should().Throw<Exception>().Which;
        ConfigurationErrors.TryDescribe(thrown, out var message).Should().BeTrue();
        message.Should().Contain(expected);
        message.Should().NotContain(Environment.NewLine);
    }

    [Fact]
    public void Validate_SecretInBadUrl_IsNotEchoed()
    {
        using var host = BuildHost(new Dictionary<string, string?> { ["Notify:Webhook:Url"] = "hooks.example/token-S3CR3T" });

        var act = () => host.Services.GetRequiredService<IStartupValidator>().Validate();

        ConfigurationErrors.TryDescribe(act.Should().Throw<Exception>().Which, out var message).Should().BeTrue();
        message.Should().NotContain("S3CR3T");
    }

    [Fact]
    public void Validate_OpenAiModelWithoutModelName_NamesTheIndexedKey()
    {
        // ApiKeyEnv is optional (a keyless local server); the model name is not.
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Models:2:Id"] = "gpt",
            ["Models:2:Provider"] = "openai",
            ["Models:2:BaseUrl"] = "https://api.openai.example/v1",
        });

        var act = () => host.Services.GetRequiredService<IStartupValidator>().Validate();

        ConfigurationErrors.TryDescribe(act.Should().Throw<Exception>().Which, out var message).Should().BeTrue();
        message.Should().Be("Models:2:Model is required");
    }

    [Theory]
    [InlineData("ResponseFormat", "json", "Models:2:ResponseFormat must be one of json_schema, json_object, none")]
    [InlineData("Temperature", "3", "Models:2:Temperature")]
    public void Validate_OpenAiModelBadNegotiableValue_NamesTheIndexedKey(string key, string value, string expected)
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Models:2:Id"] = "gpt",
            ["Models:2:Provider"] = "openai",
            ["Models:2:BaseUrl"] = "https://api.openai.example/v1",
            ["Models:2:Model"] = "gpt-x",
            [$"Models:2:{key}"] = value,
        });

        var act = () => host.Services.GetRequiredService<IStartupValidator>().Validate();

        ConfigurationErrors.TryDescribe(act.Should().Throw<Exception>().Which, out var message).Should().BeTrue();
        message.Should().StartWith(expected);
    }

    [Fact]
    public void Validate_Defaults_Pass()
    {
        using var host = BuildHost([]);

        var act = () => host.Services.GetRequiredService<IStartupValidator>().Validate();

        act.Should().NotThrow();
    }

    private Microsoft.Extensions.Hosting.IHost BuildHost(Dictionary<string, string?> overrides) => _host.Build(overrides);
}
