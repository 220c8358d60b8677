using System.Text.Json;
using System.Text.Json.Serialization;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// The SQL conventions of this database, stated once. Times: pass <see cref="DateTimeOffset"/> and let
/// <see cref="UtcTimeHandlers"/> format it; never format by hand. Rows: named records, never tuples. Lists: one JSON
/// parameter unpacked by the dialect, <c>WHERE id IN ({SqlDialect.TextList("@Ids")})</c> (json_each in SQLite,
/// jsonb_array_elements_text in PostgreSQL), never Dapper's <c>IN @ids</c>: the statement keeps one text and one
/// parameter whatever the list's length (Dapper rewrites it to @ids1…@idsN for SQLite, a new text for every length up
/// to the parameter limit, and passes an array that <c>IN</c> cannot take for PostgreSQL), and the list is a table, so
/// it can also be joined or inserted from, which <c>IN @ids</c> cannot.
/// </summary>
internal static class SqlList
{
    /// <summary>The JSON array to bind to a <see cref="SqlDialect.TextList"/> or <see cref="SqlDialect.IdList"/> parameter.</summary>
    public static string Of(IEnumerable<string> values) => JsonSerializer.Serialize(values.ToArray(), SqlListJson.Default.StringArray);

    /// <inheritdoc cref="Of(IEnumerable{string})"/>
    public static string Of(IEnumerable<long> values) => JsonSerializer.Serialize(values.ToArray(), SqlListJson.Default.Int64Array);
}

[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(long[]))]
internal sealed partial class SqlListJson : JsonSerializerContext;
