namespace KrxSignal.Worker.Tests.Support;

/// <summary>Runs actions as separate nodes would: each on its own thread, all released together once every one is ready.</summary>
public static class AtOnce
{
    public static async Task<T[]> RunAsync<T>(IEnumerable<Func<Task<T>>> actions)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = actions.Select(a => Task.Run(async () =>
        {
            await gate.Task;
            return await a();
        })).ToList();
        gate.SetResult();
        return await Task.WhenAll(running);
    }
}
