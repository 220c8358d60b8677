using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Http;
using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Notify.Delivery;
using KrxSignal.Worker.Notify.Outbox;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Notify;

internal static class NotifyServiceCollectionExtensions
{
    public static IServiceCollection AddNotify(this IServiceCollection services)
    {
        services.AddValidatedOptions<NotifyOptions>();
        services.AddNotifyHttpClients();
        services.AddSingleton<MessageExpiry>();
        services.AddSingleton<OutboxIntake>();
        services.AddSingleton<DeliveryClaims>();
        services.AddSingleton<ChannelStates>();
        services.AddSingleton<DeliveryLog>();

        // Transient: each run takes its channels (and, on its first send, their Refit clients) fresh from the client
        // factory, so the factory's handler rotation holds; a run reuses them for every message it sends.
        services.AddTransient(typeof(OnFirstUse<>));
        services.AddTransient<INotificationChannel, WebhookChannel>();
        services.AddTransient<INotificationChannel, TelegramChannel>();
        services.AddTransient<ChannelRun>();
        services.AddTransient<DeliveryService>();
        services.AddSingleton<NotifyStage>();
        services.AddSingleton<IHeartbeatContributor, NotificationsHealth>();
        services.AddSingleton<IDoctorCheck, ChannelsDoctorCheck>();
        return services;
    }
}
