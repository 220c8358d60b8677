using System.Collections.Concurrent;
using KrxSignal.Worker.Predictions.Models;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// Each openai model's Refit client, keyed by model id (registered in <see cref="ChatClientRegistration"/>),
/// resolved once and kept: a model's connections are reused across calls instead of a client being built per
/// call. DNS changes are still picked up through the primary handler's PooledConnectionLifetime.
/// </summary>
public sealed class ChatClients(IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, IChatCompletionsApi> _clients = new(StringComparer.Ordinal);

    public IChatCompletionsApi For(ModelOptions model) =>
        _clients.GetOrAdd(model.Id, static (id, services) =>
            services.GetKeyedService<IChatCompletionsApi>(id)
                ?? throw new ModelFailedException($"no chat client is registered for model '{id}'"), services);
}
