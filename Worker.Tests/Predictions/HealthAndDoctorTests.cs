using KrxSignal.Worker.Health;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Predictions.OpenAi;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.Predictions;

public sealed class HealthAndDoctorTests : IDisposable
{
    private readonly FakeModelServer _fake = new();

    public void Dispose() => _fake.Dispose();

    [Fact]
    public async Task Build_RealComposition_ResolvesRefitClientStageAndChecks()
    {
        using (var withModel = await PredictionHost.StartAsync(_fake.Folder, PredictionHost.Model(0, "gpt", "openai", ("BaseUrl", "https://api.example/v1"), ("Model", "m"))))
        {
            // Refit 16.4 without Refit.Reflection: the generated client is the model's keyed client, resolved once and kept.
            var clients = withModel.Services.GetRequiredService<ChatClients>();
            var model = withModel.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ModelsOptions>>().Value.Items[0];
            var api = clients.For(model);
            api.Should().NotBeNull();
            clients.For(model).Should().BeSameAs(api);
            withModel.Services.GetKeyedService<IChatCompletionsApi>("gpt").Should().NotBeNull();
        }

        using var host = await PredictionHost.StartAsync(_fake.Folder, new Dictionary<string, string?>());
        host.Services.GetRequiredService<PipelineRunner>().Stages.Select(s => s.Name).Should().Contain("predict");
        host.Services.GetServices<IDoctorCheck>().Select(c => c.Name).Should().Contain("models");
        host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ModelsOptions>>().Value.Items.Select(m => m.Id)
            .Should().Equal(["lexicon", "sentiment"], "no Models section means the two offline models");
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ContributeAsync_ModelFailingAFifthOfItsCalls_DegradedNamingTheModel(StorageProvider provider)
    {
        using var host = await PredictionHost.StartAsync(_fake.Folder, await MigratedDatabases.HostSettingsAsync(provider));
        await host.InsertArticleAsync("a1", "005930", "t", DateTimeOffset.Parse("2026-11-19T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var guards = host.Services.GetRequiredService<ModelGuards>();
        var lexicon = guards.For(guards.Models[0]);
        for (var i = 0; i < 20; i++)
        {
            lexicon.Recent.Add(failed: i % 5 == 0);
        }

        var draft = new HeartbeatDraft();
        var contributor = host.Services.GetServices<IHeartbeatContributor>().OfType<PredictionsHealth>().Single();
        await contributor.ContributeAsync(draft, CancellationToken.None);

        draft.Status.Should().Be(HealthStatus.Degraded);
        draft.Reasons.Should().Contain(r => r.Contains("model lexicon failed 20", StringComparison.Ordinal));
        draft.PendingArticles.Should().Be(1);
        draft.Models!["lexicon"].Should().Be(new ModelHealth(true, "closed", 0.2, 20, 0, 1.0));
        draft.Models["sentiment"].RecentCalls.Should().Be(0);
    }

    [Fact]
    public async Task RunAsync_OpenAiModels_KeyPresentAndEndpointAnswering()
    {
        Environment.SetEnvironmentVariable(_fake.KeyVariable, "sk-doctor-secret");
        _fake.Server.Given(Request.Create().WithPath("/v1/models").UsingGet().WithHeader("Authorization", "Bearer sk-doctor-secret"))
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"data\":[]}"));
        var settings = new Dictionary<string, string?>(PredictionHost.Model(0, "lexicon", "lexicon"));
        foreach (var (key, value) in PredictionHost.Model(1, "gpt", "openai", ("BaseUrl", _fake.Server.Url + "/v1"), ("Model", "m"), ("ApiKeyEnv", _fake.KeyVariable)))
        {
            settings[key] = value;
        }

        foreach (var (key, value) in PredictionHost.Model(2, "nokey", "openai", ("BaseUrl", _fake.Server.Url + "/v1"), ("Model", "m"), ("ApiKeyEnv", _fake.KeyVariable + "_MISSING")))
        {
            settings[key] = value;
        }

        using var host = await PredictionHost.StartAsync(_fake.Folder, settings);
        var check = host.Services.GetServices<IDoctorCheck>().OfType<ModelsCheck>().Single();

        var result = await check.RunAsync(CancellationToken.None);

        result.Passed.Should().BeFalse();
        result.Detail.Should().Contain("lexicon offline").And.Contain("gpt ").And.Contain("answered in")
            .And.Contain($"nokey key variable {_fake.KeyVariable}_MISSING is not set").And.NotContain("sk-doctor-secret");
        result.Fix.Should().Contain($"set {_fake.KeyVariable}_MISSING");
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_KeylessLocalAndUncappedHostedModel_SaysKeylessWarnsAndShowsNegotiatedStep(StorageProvider provider)
    {
        _fake.Server.Given(Request.Create().WithPath("/local/models").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"data\":[]}"));
        var settings = await MigratedDatabases.HostSettingsAsync(provider);
        foreach (var (key, value) in PredictionHost.Model(0, "ollama", "openai", ("BaseUrl", _fake.Server.Url + "/local"), ("Model", "qwen3:8b")))
        {
            settings[key] = value;
        }

        foreach (var (key, value) in PredictionHost.Model(1, "gpt", "openai", ("BaseUrl", "https://api.openai.example/v1"), ("Model", "gpt-5-mini"), ("ApiKeyEnv", _fake.KeyVariable + "_MISSING")))
        {
            settings[key] = value;
        }

        using var host = await PredictionHost.StartAsync(_fake.Folder, settings);
        var models = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ModelsOptions>>().Value.Items;
        var negotiated = host.Services.GetRequiredService<NegotiatedSettings>();
        var sent = await negotiated.GetAsync(models[0], CancellationToken.None);
        await negotiated.StepAsync(models[0], sent, sent with { ResponseFormat = "json_object", Reason = "format refused" }, CancellationToken.None);
        var check = host.Services.GetServices<IDoctorCheck>().OfType<ModelsCheck>().Single();

        var result = await check.RunAsync(CancellationToken.None);

        result.Detail.Should().Contain("ollama ").And.Contain("answered in").And.Contain("keyless (no Authorization header)").And.Contain("negotiated: json_object");
        result.Detail.Should().Contain("gpt key variable").And.Contain("warning: hosted, with neither prices nor DailyTokenBudget, so no budget caps it");
        _fake.Server.LogEntries.Single().RequestMessage!.Headers!.Should().NotContainKey("Authorization");

        var draft = new HeartbeatDraft();
        await host.Services.GetServices<IHeartbeatContributor>().OfType<PredictionsHealth>().Single().ContributeAsync(draft, CancellationToken.None);
        draft.Models!["ollama"].Negotiated.Should().Be("json_object");
        draft.Models["gpt"].Negotiated.Should().BeNull("gpt runs as configured");
    }

    [Theory]
    [InlineData("https://api.openai.com/v1", true)]
    [InlineData("https://openrouter.ai/api/v1", true)]
    [InlineData("http://localhost:11434/v1", false)]
    [InlineData("http://127.0.0.1:8080/v1", false)]
    [InlineData("http://192.168.1.20:1234/v1", false)]
    [InlineData("http://gpu-box:8000/v1", false)]
    [InlineData("http://llm.home.arpa/v1", false)]
    public void IsHosted_BaseUrl_TellsMeteredServiceFromLocalServer(string baseUrl, bool hosted) =>
        ModelHosting.IsHosted(baseUrl).Should().Be(hosted);
}
