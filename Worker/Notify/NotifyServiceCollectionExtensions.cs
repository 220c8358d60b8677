using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Notify.Outbox;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Notify;

public static class NotifyServiceCollectionExtensions
{
    public static IServiceCollection AddNotify(this IServiceCollection services)
    {
        services.AddValidatedOptions<NotifyOptions>();
        services.AddNotifyHttpClients();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<INotificationChannel, WebhookChannel>();
        services.AddSingleton<INotificationChannel, TelegramChannel>();
        services.AddSingleton<NotifyStage>();
        services.AddSingleton<IHeartbeatContributor, NotificationsHealth>();
        return services;
    }
}
