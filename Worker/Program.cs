using KrxSignal.Worker.Cli;

return await WorkerCommandLine.InvokeAsync(args);
