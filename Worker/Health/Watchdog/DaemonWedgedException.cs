namespace KrxSignal.Worker.Health.Watchdog;

/// <summary>Ends the watchdog's loop, and so the daemon, when a liveness source stayed dead too long.</summary>
internal sealed class DaemonWedgedException(string message) : Exception(message);
