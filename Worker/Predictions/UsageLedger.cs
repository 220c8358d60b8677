using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Predictions;

/// <summary>
/// The daily budgets, in USD (Models:N:DailyBudgetUsd, which needs prices to bite) and in tokens
/// (Models:N:DailyTokenBudget, which does not), read from the model_usage ledger. One read per pair before the
/// call; the totals after it come back from the write itself. Offline models cost nothing and read nothing.
/// The day rolls over with the KST date on the injected clock, so a spent budget frees itself at midnight.
/// </summary>
public sealed partial class UsageLedger(PredictionStore store, ILogger<UsageLedger> logger)
{
    public const double WarningShare = 0.8;

    // Per model: the KST day for which the warning (or the exhaustion notice) was already logged.
    private readonly ConcurrentDictionary<string, string> _warned = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _exhausted = new(StringComparer.Ordinal);

    public static double CostOf(ModelOptions model, long? tokensIn, long? tokensOut) =>
        ((tokensIn ?? 0) * model.InputUsdPerMillionTokens / 1_000_000) + ((tokensOut ?? 0) * model.OutputUsdPerMillionTokens / 1_000_000);

    /// <summary>Whether a budget applies at all: offline models and models with no cap skip the ledger read.</summary>
    public static bool HasBudget(ModelOptions model) => !model.IsOffline && (model.DailyBudgetUsd > 0 || model.DailyTokenBudget is > 0);

    public async Task<bool> IsExhaustedAsync(ModelOptions model, string day, CancellationToken cancellationToken) =>
        await ExhaustedReasonAsync(model, day, cancellationToken) is not null;

    /// <returns>Why the model is skipped today ("budget: …"), or null when it may be called.</returns>
    public async Task<string?> ExhaustedReasonAsync(ModelOptions model, string day, CancellationToken cancellationToken)
    {
        if (!HasBudget(model))
        {
            return null;
        }

        return Exhausted(model, day, await store.UsageAsync(day, model.Id, cancellationToken));
    }

    /// <summary>After a call was recorded, with the day's totals that write returned: the once-a-day notices.</summary>
    public void AfterCall(ModelOptions model, string day, UsageTotals totals)
    {
        if (!HasBudget(model))
        {
            return;
        }

        if (Exhausted(model, day, totals) is { } reason)
        {
            if (Once(_exhausted, model.Id, day))
            {
                Log.BudgetExhausted(logger, model.Id, reason);
            }
        }
        else if (((model.DailyBudgetUsd > 0 && totals.Cost >= WarningShare * model.DailyBudgetUsd)
                  || (model.DailyTokenBudget is > 0 and var tokens && totals.Tokens >= WarningShare * tokens))
                 && Once(_warned, model.Id, day))
        {
            Log.BudgetWarning(logger, model.Id, totals.Cost, model.DailyBudgetUsd, totals.Tokens, model.DailyTokenBudget?.ToString(CultureInfo.InvariantCulture) ?? "no", day);
        }
    }

    private static string? Exhausted(ModelOptions model, string day, UsageTotals used)
    {
        if (model.DailyBudgetUsd > 0 && used.Cost >= model.DailyBudgetUsd)
        {
            return string.Create(CultureInfo.InvariantCulture, $"budget: the daily {model.DailyBudgetUsd} USD of {day} is used up; resumes at KST midnight");
        }

        if (model.DailyTokenBudget is > 0 and var tokens && used.Tokens >= tokens)
        {
            return string.Create(CultureInfo.InvariantCulture, $"budget: the daily {tokens} tokens of {day} are used up; resumes at KST midnight");
        }

        return null;
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
        [LoggerMessage(Level = LogLevel.Warning, Message = "Model {ModelId} has used {Used:0.0000} USD of its {Budget} USD budget and {Tokens} of its {TokenBudget} tokens for {Day} (80 % or more)")]
        public static partial void BudgetWarning(ILogger logger, string modelId, double used, double budget, long tokens, string tokenBudget, string day);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Model {ModelId} is skipped until KST midnight: {Reason}")]
        public static partial void BudgetExhausted(ILogger logger, string modelId, string reason);
    }
}
