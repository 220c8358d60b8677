using System.CommandLine;
using System.Runtime.InteropServices;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Notify.Delivery;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Cli;

/// <summary>
/// `Worker poll-once [--allow-shared]`: one full cycle now, whatever the window, for setting up. On a PostgreSQL
/// database it refuses without --allow-shared: a cluster shares that database, and a test cycle should not join it. Always fetches fresh (the stale
/// fallback still applies) and runs every later stage that exists. Exit 0 when every stage is ok, 2 when the poll
/// itself failed (no endpoint gave data) or polling is not configured, 1 for anything in between. SIGTERM or Ctrl+C
/// stops the cycle between writes (every write is its own transaction, so nothing half-written is left) and exits
/// 128 + the signal's number (143, 130), as a shell reports a command the signal ended; a rerun finishes the work.
/// </summary>
internal static class PollOnceCommand
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    public static Command Create(WorkerHostSettings settings)
    {
        var shared = new Option<bool>("--allow-shared") { Description = "Run the cycle on a PostgreSQL database a cluster shares, beside its scheduled polls." };
        var command = new Command("poll-once", "Run one full cycle now, whatever the window: poll (fresh), ingest, and every later step.") { shared };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            // Stdout carries the result lines; the log goes to stderr.
            using var host = WorkerHost.CreateBuilder(settings with { ConsoleLogsToStandardError = true, WritesLogFiles = false }).Build();
            var database = host.Services.GetRequiredService<Database>();
            if (database.Provider == StorageProvider.Postgres && !parsed.GetValue(shared))
            {
                await Console.Error.WriteLineAsync(
                    $"poll-once would write to the PostgreSQL database {database.Location}, which the cluster's nodes share, and poll beside their schedule. " +
                    "Pass --allow-shared to do it anyway, or run it with Storage__Provider=sqlite for a local test.");
                return ExitCodes.Usage;
            }

            // The hosted services stay stopped (no scheduler, no heartbeat, no console lifetime), so nothing else
            // handles SIGTERM here: without this the runtime would end the process wherever it stands.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var interruptedBy = 0;
            void OnSignal(PosixSignalContext signal)
            {
                signal.Cancel = true;
                Interlocked.CompareExchange(ref interruptedBy, signal.Signal == PosixSignal.SIGINT ? SigInt : SigTerm, 0);
                stop.Cancel();
            }

            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            var results = new List<StageRun>();
            try
            {
                var calendar = await host.Services.GetRequiredService<WorkerStartup>().PrepareAsync(stop.Token);
                if (!host.Services.GetRequiredService<IOptions<StockApiOptions>>().Value.PollingEnabled)
                {
                    await Console.Error.WriteLineAsync("Nothing to poll: StockApi:BaseUrl is not set. Set StockApi__BaseUrl (and StockApi__ApiKey) and try again.");
                    return ExitCodes.Failed;
                }

                // The same window and next-poll time the daemon's poll job would use at this instant.
                var time = host.Services.GetRequiredService<TimeProvider>();
                var now = time.GetUtcNow();
                var context = MarketSchedule.Create(calendar, time, now, PollJob.Key).PollAt(now).Context(forceFresh: true, deliverNow: true);
                var pipeline = host.Services.GetRequiredService<PipelineRunner>();
                results.Add(await pipeline.RunPollCycleAsync(context, stop.Token));
                results.AddRange(await pipeline.RunDownstreamAsync(context, stop.Token));

                // Sending is the delivery job's in the daemon; here it runs right after the cycle, over every due message.
                results.Add(new StageRun(DeliveryService.JobName, await host.Services.GetRequiredService<DeliveryService>().RunAsync(deliverNow: true, stop.Token)));
            }
            catch (OperationCanceledException) when (interruptedBy != 0)
            {
            }

            if (interruptedBy != 0)
            {
                await Console.Error.WriteLineAsync(
                    $"poll-once interrupted by {(interruptedBy == SigInt ? "SIGINT" : "SIGTERM")}: stopped before the cycle finished. " +
                    "What was written is complete and kept; run poll-once again to finish.");
                return 128 + interruptedBy;
            }

            foreach (var (stage, result) in results)
            {
                await Console.Out.WriteLineAsync($"{stage,-8} {result.Outcome.ToString().ToLowerInvariant(),-8} {result.Items,4} items  {result.Summary}");
            }

            return ExitCode(results);
        });
        return command;
    }

    public static int ExitCode(IReadOnlyList<StageRun> results)
    {
        if (results.Any(r => r.Stage == PipelineRunner.PollStage && r.Result.Outcome == StageOutcome.Failed))
        {
            return ExitCodes.Failed;
        }

        return results.All(r => r.Result.Outcome == StageOutcome.Ok) ? ExitCodes.Ok : ExitCodes.Partial;
    }
}
