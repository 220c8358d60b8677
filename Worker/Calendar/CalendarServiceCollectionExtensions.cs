using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Calendar;

public static class CalendarServiceCollectionExtensions
{
    /// <summary>The market calendar and the Quartz schedule built from it: one feature, wired in one call.</summary>
    public static IServiceCollection AddMarketCalendar(this IServiceCollection services)
    {
        services.AddValidatedOptions<CalendarOptions>();
        services.AddSingleton<MarketCalendarSource>();
        services.AddSingleton<IDoctorCheck, CalendarFileCheck>();
        services.AddMarketScheduling();
        return services;
    }
}
