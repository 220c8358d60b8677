using Microsoft.Extensions.Hosting.Systemd;

namespace KrxSignal.Worker.Hosting;

/// <summary>
/// systemd's notifier, sending READY=1 once: <see cref="WorkerStartup"/> sends it as soon as the start-up checks have
/// passed, and the readiness the host's lifetime would announce again when every hosted service has started is dropped.
/// Every other state (STOPPING=1, WATCHDOG=1) passes through.
/// </summary>
internal sealed class ReadyOnceNotifier : ISystemdNotifier
{
    private static readonly string Ready = ServiceState.Ready.ToString();
    private readonly SystemdNotifier _inner = new();
    private int _readySent;

    public bool IsEnabled => _inner.IsEnabled;

    public void Notify(ServiceState state)
    {
        if (state.ToString() == Ready && Interlocked.Exchange(ref _readySent, 1) == 1)
        {
            return;
        }

        _inner.Notify(state);
    }
}
