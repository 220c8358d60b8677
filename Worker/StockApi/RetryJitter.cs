namespace KrxSignal.Worker.StockApi;

/// <summary>
/// The factor each back-off delay is multiplied by. Random in production so several workers behind one NAS do not
/// retry in lockstep; <see cref="None"/> in tests so the 1/2/4 s schedule can be asserted exactly.
/// </summary>
internal sealed class RetryJitter(Func<double> factor)
{
    /// <summary>±20 %: enough to spread retries, small enough that the schedule still reads 1, 2, 4 s.</summary>
#pragma warning disable CA5394 // Spreading retries needs no cryptographic randomness.
    public static RetryJitter Random { get; } = new(() => 0.8 + (System.Random.Shared.NextDouble() * 0.4));
#pragma warning restore CA5394

    public static RetryJitter None { get; } = new(() => 1.0);

    public TimeSpan Apply(TimeSpan delay) => delay * factor();
}
