using System.Data;
using System.Globalization;
using Dapper;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// SQLite stores every instant as UTC ISO-8601 text with millisecond precision ("2026-11-19T22:00:00.000Z"):
/// readable in sqlite3, and text order equals time order, so SQL can compare and sort it. PostgreSQL stores
/// timestamptz, and reads back a UTC DateTime.
/// </summary>
internal static class UtcTimeHandlers
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    private static int s_registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 1)
        {
            return;
        }

        // Dapper ignores a custom DateTimeOffset handler while its built-in type map is present.
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
    }

    public static string ToText(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            // SQLite's type is asked first: asking for Npgsql's would load its assembly into every SQLite process.
            if (parameter is Microsoft.Data.Sqlite.SqliteParameter)
            {
                parameter.DbType = DbType.String;
                parameter.Value = ToText(value);
                return;
            }

            // timestamptz; Npgsql refuses a DateTimeOffset whose offset is not zero.
            parameter.DbType = DbType.DateTimeOffset;
            parameter.Value = value.ToUniversalTime();
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            string text => UtcTimeHandlers.Parse(text),
            DateTimeOffset instant => instant.ToUniversalTime(),
            DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
            _ => throw new DataException($"Cannot read a time from a {value.GetType().Name} column value."),
        };
    }
}
