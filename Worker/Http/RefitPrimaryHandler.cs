using Refit;

namespace KrxSignal.Worker.Http;

internal static class RefitPrimaryHandler
{
    /// <summary>
    /// Refit gives a client an HttpClientHandler as its primary handler unless the settings name a factory, and that
    /// handler's constructor sets up TLS client certificates at once, loading the TLS and cryptography assemblies (about
    /// 2 MiB resident) into a process that may never open a TLS connection, a replay or a quiet night. A SocketsHttpHandler
    /// (what HttpClientHandler wraps) sets TLS up on its first https request. Clients that configure their own primary
    /// handler replace this one before it is used.
    /// </summary>
    public static RefitSettings WithSocketsHandler(this RefitSettings settings)
    {
        settings.HttpMessageHandlerFactory = static () => new SocketsHttpHandler();
        return settings;
    }
}
