using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health.Doctor;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Calendar;

public static class CalendarServiceCollectionExtensions
{
    public static IServiceCollection AddMarketCalendar(this IServiceCollection services)
    {
        services.AddValidatedOptions<CalendarOptions>();
        services.AddSingleton<IDoctorCheck, CalendarFileCheck>();
        return services;
    }
}
