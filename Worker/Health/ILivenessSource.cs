namespace KrxSignal.Worker.Health;

/// <summary>
/// A loop whose silence means the daemon is wedged: the heartbeat writer now, the scheduler later.
/// The watchdog tells the service manager the daemon is alive only while every source says so.
/// </summary>
internal interface ILivenessSource
{
    /// <summary>Short name for the log line that says which part is wedged.</summary>
    string Name { get; }

    /// <param name="now">The watchdog's clock reading, shared by every source in one check.</param>
    /// <param name="reason">When not alive: what was expected and when it last happened.</param>
    bool IsAlive(DateTimeOffset now, out string reason);
}
