namespace KrxSignal.Worker.Storage;

/// <summary>The database cannot be used; the message says which file and what to do.</summary>
internal sealed class DatabaseStartupException(string message, Exception? inner = null) : Exception(message, inner);
