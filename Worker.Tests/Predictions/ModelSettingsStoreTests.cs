using KrxSignal.Worker.Predictions.OpenAi;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Predictions;

public sealed class ModelSettingsStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 19, 1, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SaveAsync_TwiceForOneModel_KeepsOneRowWithTheLatestStep(StorageProvider provider)
    {
        var store = new ModelSettingsStore(await MigratedDatabases.CreateAsync(provider, _folder));

        await store.SaveAsync("lmstudio", new ModelSettings(ResponseFormats.JsonObject, false, "HTTP 400 names json_schema"), Now, CancellationToken.None);
        await store.SaveAsync("lmstudio", new ModelSettings(ResponseFormats.None, true, "HTTP 400 names temperature"), Now.AddMinutes(1), CancellationToken.None);
        await store.SaveAsync("gpt", new ModelSettings(ResponseFormats.JsonSchema, true), Now, CancellationToken.None);

        var all = await store.AllAsync(CancellationToken.None);

        all.Should().BeEquivalentTo(new Dictionary<string, ModelSettings>
        {
            ["lmstudio"] = new(ResponseFormats.None, true, "HTTP 400 names temperature"),
            ["gpt"] = new(ResponseFormats.JsonSchema, true),
        });
    }
}
