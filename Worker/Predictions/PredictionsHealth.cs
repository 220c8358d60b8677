using System.Data.Common;
using KrxSignal.Worker.Calendar;
using System.Globalization;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Predictions.OpenAi;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Predictions;

/// <summary>
/// The models' part of the heartbeat: circuit, recent error rate and today's spend per model, and the
/// number of articles waiting. A model failing ≥ 20 % of its last 20 calls makes the Worker degraded, by name.
/// </summary>
public sealed class PredictionsHealth(IOptions<ModelsOptions> models, ModelGuards guards, PredictionStore store, NegotiatedSettings negotiated, TimeProvider time) : IHeartbeatContributor
{
    public async ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, UsageTotals> costs;
        try
        {
            costs = await store.UsageByModelAsync(Kst.DayOf(time.GetUtcNow()), cancellationToken);
            draft.PendingArticles = await store.PendingCountAsync(cancellationToken);
        }
        catch (DbException e)
        {
            draft.Warn($"prediction backlog unknown: {e.Message}");
            costs = new Dictionary<string, UsageTotals>();
        }

        var health = new Dictionary<string, ModelHealth>(StringComparer.Ordinal);
        foreach (var model in models.Value.Items)
        {
            var guard = guards.Existing(model.Id);
            var (calls, rate) = guard?.Recent.Snapshot() ?? (0, 0);
            var circuit = guard?.CircuitState ?? "closed";
            var used = costs.GetValueOrDefault(model.Id)?.Cost ?? 0;
            var stepped = model.Provider == "openai" ? await SteppedAsync(model, draft, cancellationToken) : null;
            health[model.Id] = new ModelHealth(model.Enabled, circuit, Math.Round(rate, 3), calls, Math.Round(used, 4), model.DailyBudgetUsd, stepped?.Describe());

            if (guard is not null && guard.Recent.IsDegraded)
            {
                draft.Report(HealthStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"model {model.Id} failed {rate:P0} of its last {calls} calls"));
            }

            if (circuit == "open")
            {
                draft.Report(HealthStatus.Degraded, $"model {model.Id} circuit is open: its calls are deferred for now");
            }

            if (model.Enabled && !model.IsOffline && model.DailyBudgetUsd > 0 && used >= model.DailyBudgetUsd)
            {
                draft.Warn($"model {model.Id} spent its daily budget; skipped until KST midnight");
            }
        }

        draft.Models = health;
    }

    private async Task<ModelSettings?> SteppedAsync(ModelOptions model, HeartbeatDraft draft, CancellationToken cancellationToken)
    {
        try
        {
            return await negotiated.SteppedAsync(model, cancellationToken);
        }
        catch (DbException e)
        {
            draft.Warn($"negotiated settings of {model.Id} unknown: {e.Message}");
            return null;
        }
    }
}
