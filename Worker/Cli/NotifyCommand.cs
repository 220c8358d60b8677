using System.CommandLine;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Notify.Outbox;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Cli;

/// <summary>
/// `Worker notify resume CHANNEL`: lifts a 410's disable (or a 401/403/404 block) so the channel's waiting messages
/// go out on the next delivery run. `Worker notify new-secret`: prints a fresh Standard Webhooks secret.
/// </summary>
internal static class NotifyCommand
{
    public static Command Create(WorkerHostSettings settings)
    {
        var command = new Command("notify", "Manage notification channels.");
        command.Subcommands.Add(Resume(settings));
        command.Subcommands.Add(NewSecret());
        return command;
    }

    private static Command Resume(WorkerHostSettings settings)
    {
        var channel = new Argument<string>("CHANNEL") { Description = "webhook or telegram" };
        channel.AcceptOnlyFromAmong(WebhookChannel.ChannelName, TelegramChannel.ChannelName);
        var command = new Command("resume", "Enable a channel a receiver disabled (410) or blocked (401/403/404); its waiting messages are sent next.") { channel };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var host = WorkerHost.CreateBuilder(settings with { ConsoleLogsToStandardError = true }).Build();
            host.Services.GetRequiredService<IStartupValidator>().Validate();
            await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(cancellationToken);
            var name = parsed.GetValue(channel)!;
            var states = host.Services.GetRequiredService<ChannelStates>();
            var previous = await states.GetAsync(name, cancellationToken);
            await states.ClearAsync(name, cancellationToken);
            await Console.Out.WriteLineAsync(previous is null
                ? $"{name} was not disabled; nothing to do."
                : $"{name} resumed (it was {previous.State} since {previous.Since:O}: {previous.Reason}). Its waiting messages go out on the next delivery run.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command NewSecret()
    {
        var command = new Command("new-secret", "Print a fresh Standard Webhooks signing secret (whsec_…) for Notify:Webhook:Secret.");
        command.SetAction(async (_, _) =>
        {
            await Console.Out.WriteLineAsync(WebhookSecret.New());
            return ExitCodes.Ok;
        });
        return command;
    }
}
