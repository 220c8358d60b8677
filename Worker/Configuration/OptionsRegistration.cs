using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Configuration;

/// <summary>An options class the host binds and validates: what <see cref="KnownKeys"/> describes.</summary>
internal sealed record RegisteredOptions(Type Type);

internal static class OptionsRegistration
{
    /// <summary>Binds <typeparamref name="T"/> to its section and validates it when the host starts.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services)
        where T : class, IValidatedOptions =>
        services.AddUnboundValidatedOptions<T>().BindConfiguration(T.Section);

    /// <summary>Validates <typeparamref name="T"/> at start; the caller binds it (for shapes the binder cannot map, like a top-level array).</summary>
    public static OptionsBuilder<T> AddUnboundValidatedOptions<T>(this IServiceCollection services)
        where T : class, IValidatedOptions
    {
        services.AddSingleton<IValidateOptions<T>, Validator<T>>();
        services.AddSingleton(new RegisteredOptions(typeof(T)));
        return services.AddOptions<T>().ValidateOnStart();
    }

    private sealed class Validator<T> : IValidateOptions<T>
        where T : class, IValidatedOptions
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var problems = new OptionsProblems(T.Section);
            options.Validate(problems);
            return problems.All.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.All);
        }
    }
}
