using KrxSignal.Worker.Calendar;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Configuration;

/// <summary>Turns option failures into the one line an operator reads before exit code 78.</summary>
internal static class ConfigurationErrors
{
    public static bool TryDescribe(Exception exception, out string message)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                message = string.Join("; ", validation.Failures.Distinct());
                return true;
            case AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException):
                message = string.Join("; ", aggregate.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures).Distinct());
                return true;
            // The binder names the key ("Failed to convert configuration value 'abc' at 'StockApi:AttemptTimeout' ...").
            // It shows the value too, which is safe: only non-string keys fail conversion, and secrets are strings.
            case InvalidOperationException binding when binding.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal):
                message = binding.Message.Split(Environment.NewLine)[0];
                return true;
            // Names the file, the line and the problem (or the time zone that did not resolve).
            case CalendarConfigurationException calendar:
                message = calendar.Message;
                return true;
            case ConfigurationFileException file:
                message = file.Message;
                return true;
            case InvalidDataException json when json.Message.StartsWith("Failed to load configuration from file", StringComparison.Ordinal):
                message = ConfigurationFileException.FromJson(json).Message;
                return true;
            case { InnerException: ConfigurationFileException inner }:
                message = inner.Message;
                return true;
            default:
                message = "";
                return false;
        }
    }
}
