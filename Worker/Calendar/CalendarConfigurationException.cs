namespace KrxSignal.Worker.Calendar;

/// <summary>
/// The market calendar cannot be used: a malformed holidays file or an unresolvable time zone.
/// A configuration error (exit code 78): the daemon must not guess when KRX is open.
/// </summary>
internal sealed class CalendarConfigurationException : Exception
{
    public CalendarConfigurationException(string message)
        : base(message)
    {
    }

    public CalendarConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CalendarConfigurationException()
    {
    }

    /// <summary>A problem at one place in the file: "/opt/worker/holidays.json line 12: ...".</summary>
    public static CalendarConfigurationException InFile(string path, int line, string problem, Exception? inner = null) =>
        inner is null
            ? new CalendarConfigurationException($"{path} line {line}: {problem}")
            : new CalendarConfigurationException($"{path} line {line}: {problem}", inner);
}
