using System.Text.Json.Serialization;

namespace KrxSignal.Worker.Health;

/// <summary>
/// The heartbeat's serialization metadata, generated at build time: the first write happens while the daemon starts,
/// and reflection-built metadata (with its emitted accessors) cost more start-up time than the rest of that write.
/// </summary>
[JsonSerializable(typeof(HeartbeatDocument))]
internal sealed partial class HeartbeatJsonContext : JsonSerializerContext;
