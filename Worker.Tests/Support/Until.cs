namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// Waits for something another thread or process makes true (a row written, a request received) by looking every
/// 10 ms of real time, bounded: for events, never for the passing of time, which tests drive on a fake clock.
/// </summary>
public static class Until
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"Not within {limit}: {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }
    }
}
