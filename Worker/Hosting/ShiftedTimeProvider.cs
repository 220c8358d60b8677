namespace KrxSignal.Worker.Hosting;

/// <summary>
/// The system clock moved to start at a chosen instant and run on at real speed from there: a rehearsal of a
/// market day at night (<c>Clock:StartAt</c>). Timers and timestamps stay the system's, so every wait is real;
/// only the wall-clock reading is shifted, for Quartz, Polly and every other reader of the one TimeProvider.
/// </summary>
internal sealed class ShiftedTimeProvider(TimeSpan shift) : TimeProvider
{
    public TimeSpan Shift { get; } = shift;

    public static ShiftedTimeProvider StartingAt(DateTimeOffset start) => new(start - System.GetUtcNow());

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;

    public override TimeZoneInfo LocalTimeZone => System.LocalTimeZone;
}
