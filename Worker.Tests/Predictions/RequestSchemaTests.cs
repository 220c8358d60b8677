using System.Text.Json;
using KrxSignal.Worker.Pipeline;

namespace KrxSignal.Worker.Tests.Predictions;

/// <summary>The requests our client really sends (captured by WireMock), against OpenAI's published schema.</summary>
public sealed class RequestSchemaTests : IDisposable
{
    private readonly FakeModelServer _fake = new();

    public void Dispose() => _fake.Dispose();

    [Fact]
    public async Task RunAsync_EachResponseFormatMode_RequestConformsToThePublishedSchema()
    {
        foreach (var path in new[] { "/schema", "/object", "/none" })
        {
            _fake.Server.Replies(path, ProviderDoubles.Completion(ProviderDoubles.Answer()));
        }

        var settings = new[]
        {
            Model(0, "schema", "/schema", "json_schema", temperature: null),
            Model(1, "object", "/object", "json_object", temperature: "0"),
            Model(2, "none", "/none", "none", temperature: "0.2"),
        }.SelectMany(p => p).ToDictionary(p => p.Key, p => p.Value);
        using var host = await PredictionHost.StartAsync(_fake.Folder, settings);
        await host.InsertArticleAsync("a1", "005930", "삼성전자 \"수주\" 급증", new DateTimeOffset(2026, 11, 19, 0, 30, 0, TimeSpan.Zero), summary: "요약");

        await host.Stage.RunAsync(new StageContext(), CancellationToken.None);

        var bodies = _fake.Server.LogEntries.ToDictionary(e => e.RequestMessage!.Path, e => e.RequestMessage!.Body!);
        bodies.Should().HaveCount(3);
        foreach (var (path, body) in bodies)
        {
            PublishedChatSchema.Violations(body).Should().BeEmpty($"the request to {path} conforms: {body}");
        }

        using var schema = JsonDocument.Parse(bodies["/schema/chat/completions"]);
        var format = schema.RootElement.GetProperty("response_format");
        format.GetProperty("type").GetString().Should().Be("json_schema");
        format.GetProperty("json_schema").GetProperty("strict").GetBoolean().Should().BeTrue();
        format.GetProperty("json_schema").GetProperty("schema").GetProperty("properties").GetProperty("direction").GetProperty("enum")
            .EnumerateArray().Select(e => e.GetString()).Should().Equal("up", "down", "neutral");
        schema.RootElement.TryGetProperty("temperature", out _).Should().BeFalse("no Temperature configured: the provider's default");
        using var jsonObject = JsonDocument.Parse(bodies["/object/chat/completions"]);
        jsonObject.RootElement.GetProperty("response_format").GetRawText().Should().Be("""{"type":"json_object"}""");
        jsonObject.RootElement.GetProperty("temperature").GetDouble().Should().Be(0);
        using var none = JsonDocument.Parse(bodies["/none/chat/completions"]);
        none.RootElement.TryGetProperty("response_format", out _).Should().BeFalse();
        none.RootElement.GetProperty("temperature").GetDouble().Should().Be(0.2);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[]}""", "messages is required, an array of at least one")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":3}""", "temperature must be a number from 0 to 2, or null")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"bad name","schema":{}}}}""", "json_schema.name is required: a-z, A-Z, 0-9, underscores and dashes, at most 64")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json"}}""", "response_format type 'json' is not text, json_object or json_schema")]
    public void Violations_NonConformingRequest_Named(string body, string violation) =>
        PublishedChatSchema.Violations(body).Should().Contain(violation);

    private Dictionary<string, string?> Model(int index, string id, string path, string format, string? temperature)
    {
        var settings = PredictionHost.Model(
            index, id, "openai", ("BaseUrl", _fake.Server.Url + path), ("Model", "gpt-4o-mini"), ("ApiKeyEnv", _fake.KeyVariable), ("ResponseFormat", format));
        if (temperature is not null)
        {
            settings[$"Models:{index}:Temperature"] = temperature;
        }

        return settings;
    }
}
