using KrxSignal.Worker.Benchmarks;

await PredictionFanOutBenchmark.RunAsync();
