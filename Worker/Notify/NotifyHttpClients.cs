using System.Net;
using KrxSignal.Worker.Http;
using KrxSignal.Worker.Notify.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;
using Refit;

namespace KrxSignal.Worker.Notify;

/// <summary>
/// The webhook and Telegram Refit clients, registered through the client factory with the source-generated
/// implementation (AddRefitGeneratedClient: AddRefitClient needs Refit.Reflection, which we do not ship), each over
/// its own named HttpClient and resilience pipeline. Neither follows redirects: a 301/302 turns a POST into a
/// bodiless GET, which must never count as a delivery.
/// </summary>
internal static class NotifyHttpClients
{
    public const string Webhook = "notify-webhook";
    public const string Telegram = "notify-telegram";

    public static RefitSettings RefitSettings { get; } = RefitSettings.ForJsonContext(TelegramJsonContext.Default).WithSocketsHandler();

    internal static IServiceCollection AddNotifyHttpClients(this IServiceCollection services)
    {
        services.AddRefitGeneratedClient<IWebhookApi>(RefitSettings, Webhook)
            .ConfigureHttpClient((sp, client) =>
            {
                // The receiver's own URL is the base address; an unset URL leaves the client unused.
                if (Options(sp).Webhook.Url is { Length: > 0 } url)
                {
                    client.BaseAddress = new Uri(url);
                }
            })
            .Configure(Webhook);
        services.AddRefitGeneratedClient<ITelegramApi>(RefitSettings, Telegram)
            .ConfigureHttpClient((sp, client) =>
            {
                // The token is part of the base address, never of a route template or a log line.
                var telegram = Options(sp).Telegram;
                client.BaseAddress = new Uri(string.IsNullOrEmpty(telegram.BotToken)
                    ? telegram.BaseUrl
                    : $"{telegram.BaseUrl.TrimEnd('/')}/bot{telegram.BotToken}");
            })
            .Configure(Telegram);
        return services;
    }

    private static NotifyOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<NotifyOptions>>().Value;

    private static void Configure(this IHttpClientBuilder builder, string name) =>
        builder
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan) // the pipeline's timeouts bind, not the 100 s default
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .RemoveAllLoggers() // the default loggers write request URLs, and Telegram's carries the bot token
            .AddResilienceHandler(name, (pipeline, context) => Configure(pipeline, Options(context.ServiceProvider)));

    private static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, NotifyOptions options)
    {
        pipeline.AddTimeout(options.SendBudget);
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
