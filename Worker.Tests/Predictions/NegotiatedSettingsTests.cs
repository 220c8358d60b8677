using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Predictions.OpenAi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Tests.Predictions;

public sealed class NegotiatedSettingsTests : IDisposable
{
    private readonly FakeModelServer _fake = new();

    public void Dispose() => _fake.Dispose();

    [Theory]
    [InlineData("json_schema", "json_object")]
    [InlineData("none", "none")]
    public async Task GetAsync_StoredStepAfterRestart_NeverStrongerThanConfigured(string configuredAfterRestart, string expected)
    {
        using (var first = await StartAsync("json_schema"))
        {
            var (negotiated, model) = Resolve(first);
            var sent = await negotiated.GetAsync(model, CancellationToken.None);
            await negotiated.StepAsync(model, sent, sent with { ResponseFormat = "json_object", Reason = "json_schema is not supported" }, CancellationToken.None);
            var again = await negotiated.StepAsync(model, sent, sent with { ResponseFormat = "json_object" }, CancellationToken.None);
            again.Reason.Should().Be("json_schema is not supported", "a second refusal of what was already stepped from takes no step of its own");
        }

        using var second = await StartAsync(configuredAfterRestart);
        var (restarted, restartedModel) = Resolve(second);

        var settings = await restarted.GetAsync(restartedModel, CancellationToken.None);

        settings.ResponseFormat.Should().Be(expected);
    }

    private Task<PredictionHost> StartAsync(string format) => PredictionHost.StartAsync(
        _fake.Folder, PredictionHost.Model(0, "gpt", "openai", ("BaseUrl", _fake.Server.Url + "/v1"), ("Model", "m"), ("ResponseFormat", format)));

    private static (NegotiatedSettings Negotiated, ModelOptions Model) Resolve(PredictionHost host) =>
        (host.Services.GetRequiredService<NegotiatedSettings>(), host.Services.GetRequiredService<IOptions<ModelsOptions>>().Value.Items[0]);
}
