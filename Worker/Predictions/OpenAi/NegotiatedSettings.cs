using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// Each openai model's current settings for the life of the process, loaded once from model_settings. A step is
/// taken once per model: of several calls refused at the same time, the first steps (persists, logs one Warning
/// with the provider's message) and the others simply use the new settings.
/// </summary>
public sealed partial class NegotiatedSettings(ModelSettingsStore store, TimeProvider time, ILogger<NegotiatedSettings> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, ModelSettings> _current = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ModelSettings> _stored = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _loaded;

    public async ValueTask<ModelSettings> GetAsync(ModelOptions model, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        return _current.GetOrAdd(model.Id, _ => Effective(model));
    }

    /// <summary>The stepped-down settings of a model, or null while it runs as configured (doctor and heartbeat).</summary>
    public async ValueTask<ModelSettings?> SteppedAsync(ModelOptions model, CancellationToken cancellationToken)
    {
        var current = await GetAsync(model, cancellationToken);
        return current.SameRequestAs(ModelSettings.Configured(model)) ? null : current;
    }

    /// <returns>The settings to use now: <paramref name="next"/>, or whatever another call already stepped to.</returns>
    public async Task<ModelSettings> StepAsync(ModelOptions model, ModelSettings sent, ModelSettings next, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var current = _current.GetOrAdd(model.Id, _ => Effective(model));
            if (!current.SameRequestAs(sent))
            {
                return current;
            }

            await store.SaveAsync(model.Id, next, time.GetUtcNow(), cancellationToken);
            _current[model.Id] = next;
            Log.Stepped(logger, model.Id, sent.Describe(), next.Describe(), next.Reason ?? "");
            return next;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_loaded)
            {
                foreach (var (id, settings) in await store.AllAsync(cancellationToken))
                {
                    _stored[id] = settings;
                }

                _loaded = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// The configured settings with a stored step applied: never stronger than configured, so an operator who
    /// lowers ResponseFormat in the configuration is obeyed, and one who raises it must delete the stored row.
    /// </summary>
    private ModelSettings Effective(ModelOptions model)
    {
        var configured = ModelSettings.Configured(model);
        if (!_stored.TryGetValue(model.Id, out var stored))
        {
            return configured;
        }

        var weaker = ResponseFormats.Rank(stored.ResponseFormat) > ResponseFormats.Rank(configured.ResponseFormat) ? stored.ResponseFormat : configured.ResponseFormat;
        return new ModelSettings(weaker, stored.TemperatureDropped, stored.Reason);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Model {ModelId} refused {Sent}; from now on it is asked with {Next} (kept across restarts). The provider said: {ProviderMessage}")]
        public static partial void Stepped(ILogger logger, string modelId, string sent, string next, string providerMessage);
    }
}
