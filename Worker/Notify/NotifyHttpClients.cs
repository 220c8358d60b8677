using System.Net;
using KrxSignal.Worker.Notify.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;
using Refit;

namespace KrxSignal.Worker.Notify;

/// <summary>
/// The two named HttpClients, each with its own resilience pipeline. Refit clients are created over them with
/// the source-generated path (RestService.ForGenerated): AddRefitClient needs Refit.Reflection, which we do not ship.
/// </summary>
public static class NotifyHttpClients
{
    public const string Webhook = "notify-webhook";
    public const string Telegram = "notify-telegram";

    public static RefitSettings RefitSettings { get; } = RefitSettings.ForJsonContext(TelegramJsonContext.Default);

    internal static IServiceCollection AddNotifyHttpClients(this IServiceCollection services)
    {
        foreach (var name in new[] { Webhook, Telegram })
        {
            services.AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan) // the pipeline's timeouts bind, not the 100 s default
                .RemoveAllLoggers() // the default loggers write request URLs, and Telegram's carries the bot token
                .AddResilienceHandler(name, (pipeline, context) =>
                    Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<NotifyOptions>>().Value));
        }

        return services;
    }

    private static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, NotifyOptions options)
    {
        pipeline.AddTimeout(options.AttemptTimeout * (options.HttpRetries + 1) + TimeSpan.FromSeconds(3 * options.HttpRetries + 1));
        if (options.HttpRetries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.HttpRetries,
                Delay = TimeSpan.FromSeconds(1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // A Retry-After (Telegram's flood control) is the outbox's business: it reschedules the message
                // instead of holding this call, and it caps the wait.
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout,
                    _ => false,
                }),
            });
        }

        pipeline.AddTimeout(options.AttemptTimeout);
    }
}
