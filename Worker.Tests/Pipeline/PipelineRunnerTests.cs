using Dapper;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KrxSignal.Worker.Tests.Pipeline;

public sealed class PipelineRunnerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task RunDownstreamAsync_PredictStageThrows_LaterStagesStillRunInOrder()
    {
        using var host = await StartAsync();
        await using (var connection = await host.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None))
        {
            // Breaks what predict reads first; the outbox's own tables stay intact.
            await connection.ExecuteAsync(new CommandDefinition("ALTER TABLE predictions RENAME TO predictions_gone"));
        }

        var runs = await host.Services.GetRequiredService<PipelineRunner>().RunDownstreamAsync(new StageContext(), CancellationToken.None);

        runs.Select(r => r.Stage).Should().Equal("predict", "signal", "notify");
        runs[0].Result.Outcome.Should().Be(StageOutcome.Failed);
        runs[0].Result.Summary.Should().StartWith("SqliteException");
        runs[2].Result.Outcome.Should().Be(StageOutcome.Ok, "a broken stage does not keep the notifier from running");
    }

    [Fact]
    public async Task RunPollCycleAsync_PollingOff_OnlyThePollStageRunsAndFails()
    {
        using var host = await StartAsync();

        var run = await host.Services.GetRequiredService<PipelineRunner>().RunPollCycleAsync(new StageContext(), CancellationToken.None);

        run.Stage.Should().Be("poll");
        run.Result.Should().Be(new StageResult(StageOutcome.Failed, 0, "StockApi:BaseUrl is not set; nothing to poll"));
    }

    private async Task<IHost> StartAsync()
    {
        var host = WorkerHost.CreateBuilder(new WorkerHostSettings
        {
            ContentRoot = AppContext.BaseDirectory,
            ConsoleLogsToStandardError = true,
            Overrides = new Dictionary<string, string?>
            {
                ["Storage:DatabasePath"] = _folder.File("worker.db"),
                ["Heartbeat:Path"] = _folder.File("heartbeat.json"),
                ["Logs:Directory"] = _folder.File("logs"),
            },
        }).Build();
        await host.Services.GetRequiredService<WorkerStartup>().PrepareAsync(CancellationToken.None);
        return host;
    }
}
