namespace KrxSignal.Worker.Calendar;

/// <summary>KST, found under its IANA id or its Windows id (ICU maps both on every platform we ship to).</summary>
internal static class MarketTimeZone
{
    public const string IanaId = "Asia/Seoul";
    public const string WindowsId = "Korea Standard Time";

    private static readonly Lazy<TimeZoneInfo> LazyZone = new(() => Resolve([IanaId, WindowsId]));

    /// <summary>Throws <see cref="CalendarConfigurationException"/> when neither id resolves: polling on a guessed zone is worse than not starting.</summary>
    public static TimeZoneInfo Kst => LazyZone.Value;

    public static bool IsKstId(string id) =>
        string.Equals(id, IanaId, StringComparison.Ordinal) || string.Equals(id, WindowsId, StringComparison.Ordinal);

    internal static TimeZoneInfo Resolve(IReadOnlyList<string> ids)
    {
        foreach (var id in ids)
        {
            if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
            {
                return zone;
            }
        }

        throw new CalendarConfigurationException(
            $"Cannot resolve the KRX time zone: none of {string.Join(", ", ids.Select(i => $"'{i}'"))} is known to this system. " +
            "Install the time zone data (tzdata, or ICU on Windows) and do not run with InvariantGlobalization");
    }
}
