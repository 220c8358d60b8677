using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Predictions;

/// <summary>One <see cref="ModelGuard"/> per configured model id, kept for the life of the process.</summary>
public sealed class ModelGuards(IOptions<ModelsOptions> models, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<string, ModelGuard> _guards = new(StringComparer.Ordinal);

    public IReadOnlyList<ModelOptions> Models => models.Value.Items;

    public ModelGuard For(ModelOptions model) =>
        _guards.GetOrAdd(model.Id, static (_, state) => new ModelGuard(state.model, state.time), (model, time));

    public ModelGuard? Existing(string modelId) => _guards.GetValueOrDefault(modelId);

    public void Dispose()
    {
        foreach (var guard in _guards.Values)
        {
            guard.Dispose();
        }
    }
}
