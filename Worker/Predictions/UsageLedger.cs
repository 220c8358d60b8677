using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Predictions;

/// <summary>
/// Reads the model_usage ledger for the daily budget and says so once a day in the log: at 80 % a warning,
/// at 100 % that the model is skipped until KST midnight. The day rolls over with the KST date on the
/// injected clock, so a spent budget frees itself at midnight with no job of its own.
/// </summary>
public sealed partial class UsageLedger(PredictionStore store, ILogger<UsageLedger> logger)
{
    public const double WarningShare = 0.8;

    // Per model: the KST day for which the warning (or the exhaustion notice) was already logged.
    private readonly ConcurrentDictionary<string, string> _warned = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _exhausted = new(StringComparer.Ordinal);

    public static double CostOf(ModelOptions model, long? tokensIn, long? tokensOut) =>
        ((tokensIn ?? 0) * model.InputUsdPerMillionTokens / 1_000_000) + ((tokensOut ?? 0) * model.OutputUsdPerMillionTokens / 1_000_000);

    public async Task<bool> IsExhaustedAsync(ModelOptions model, string day, CancellationToken cancellationToken)
    {
        if (model.DailyBudgetUsd <= 0)
        {
            return false;
        }

        var used = await store.CostAsync(day, model.Id, cancellationToken);
        return used >= model.DailyBudgetUsd;
    }

    /// <summary>After a call was recorded: the once-a-day warnings.</summary>
    public async Task AfterCallAsync(ModelOptions model, string day, CancellationToken cancellationToken)
    {
        if (model.DailyBudgetUsd <= 0)
        {
            return;
        }

        var used = await store.CostAsync(day, model.Id, cancellationToken);
        if (used >= model.DailyBudgetUsd)
        {
            if (Once(_exhausted, model.Id, day))
            {
                Log.BudgetExhausted(logger, model.Id, used, model.DailyBudgetUsd, day);
            }
        }
        else if (used >= WarningShare * model.DailyBudgetUsd && Once(_warned, model.Id, day))
        {
            Log.BudgetWarning(logger, model.Id, used, model.DailyBudgetUsd, day);
        }
    }

    private static bool Once(ConcurrentDictionary<string, string> seen, string modelId, string day)
    {
        // Concurrent calls of one model race here; exactly one of them wins the day.
        while (true)
        {
            if (seen.TryGetValue(modelId, out var previous))
            {
                if (previous == day)
                {
                    return false;
                }

                if (seen.TryUpdate(modelId, day, previous))
                {
                    return true;
                }
            }
            else if (seen.TryAdd(modelId, day))
            {
                return true;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Model {ModelId} has used {Used:0.0000} USD of its {Budget} USD budget for {Day} (80 % or more)")]
        public static partial void BudgetWarning(ILogger logger, string modelId, double used, double budget, string day);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Model {ModelId} has used {Used:0.0000} USD, its whole {Budget} USD budget for {Day}: it is skipped until KST midnight")]
        public static partial void BudgetExhausted(ILogger logger, string modelId, double used, double budget, string day);
    }
}
