namespace KrxSignal.Worker.Replay;

/// <summary>A replay cannot run; the message says why in the operator's terms.</summary>
internal sealed class ReplayException(string message, Exception? inner = null) : Exception(message, inner);
