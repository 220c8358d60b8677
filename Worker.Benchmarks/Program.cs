using KrxSignal.Worker.Benchmarks;

// The start-up suite runs this program as its bare-host baseline: nothing else may run before it.
if (args.Contains("--bare-host"))
{
    return await BareHost.RunAsync(args);
}

// A tiny dispatcher: `--suite NAME` runs one suite, `--suite all` (the default) runs every suite there is.
var suites = new Dictionary<string, Func<Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["poll"] = PollCycleBenchmark.RunAsync,
    ["predict"] = PredictionFanOutBenchmark.RunAsync,
    ["storage"] = StorageIngestBenchmark.RunAsync,
    ["replay"] = ReplayBenchmark.RunAsync,
    ["startup"] = StartupBenchmark.RunAsync,
    ["idle"] = IdleBenchmark.RunAsync,
    ["scale"] = ScaleBenchmark.RunAsync,
};

var index = Array.IndexOf(args, "--suite");
var chosen = index >= 0 && index + 1 < args.Length ? args[index + 1] : "all";
if (chosen != "all" && !suites.ContainsKey(chosen))
{
    await Console.Error.WriteLineAsync($"Unknown suite '{chosen}'. Suites: all, {string.Join(", ", suites.Keys)}");
    return 64;
}

if (chosen is "all" or "replay" or "startup" or "idle" or "scale")
{
    // Published before any suite runs, so no suite's timing includes the publish.
    await Console.Out.WriteLineAsync($"measuring {Path.GetFileName(WorkerBinary.Dll)}: {WorkerBinary.Description}");
}

foreach (var (name, run) in suites.Where(s => chosen == "all" || s.Key.Equals(chosen, StringComparison.OrdinalIgnoreCase)))
{
    await Console.Out.WriteLineAsync($"== {name} ==");
    await run();
}

return 0;
