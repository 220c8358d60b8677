using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Http;

/// <summary>
/// A service taken from the container when first used rather than when its consumer is made. For a typed HTTP
/// client that matters: making one builds (every two minutes, as the factory rotates handlers) its handler chain and
/// resilience pipeline and loads the TLS stack, about 1.5 MiB resident, and a delivery run with nothing due (every
/// run of an idle night) sends nothing.
/// </summary>
internal sealed class OnFirstUse<T>(IServiceProvider services)
    where T : notnull
{
    private T? _value;

    public T Value => _value ??= services.GetRequiredService<T>();
}
