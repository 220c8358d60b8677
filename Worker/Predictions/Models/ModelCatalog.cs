namespace KrxSignal.Worker.Predictions.Models;

/// <summary>Finds the implementation of a configured model's provider.</summary>
public sealed class ModelCatalog(IEnumerable<IPredictionModel> implementations)
{
    private readonly Dictionary<string, IPredictionModel> _byProvider =
        implementations.ToDictionary(m => m.Provider, StringComparer.Ordinal);

    public IPredictionModel? Find(string provider) => _byProvider.GetValueOrDefault(provider);
}
