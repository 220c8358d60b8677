using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health.Doctor;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Calendar;

internal static class CalendarServiceCollectionExtensions
{
    /// <summary>The market calendar: holidays.json, read once, and its doctor check. The schedule built from it is Scheduling's.</summary>
    public static IServiceCollection AddMarketCalendar(this IServiceCollection services)
    {
        services.AddValidatedOptions<CalendarOptions>();
        services.AddSingleton<MarketCalendarSource>();
        services.AddSingleton<IDoctorCheck, CalendarFileCheck>();
        return services;
    }
}
