using System.Text.Json.Serialization;

namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>Lists passed to SQL as one JSON parameter and unpacked with json_each: no string-built IN (...) lists.</summary>
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(long[]))]
internal sealed partial class IdListJson : JsonSerializerContext;
