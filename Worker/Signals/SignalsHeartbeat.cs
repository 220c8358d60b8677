using System.Data.Common;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Health;

namespace KrxSignal.Worker.Signals;

/// <summary>Today's signals in the heartbeat: how many (KST day) and the last three, so `Worker status` shows them.</summary>
public sealed class SignalsHeartbeat(SignalHistory history, TimeProvider time) : IHeartbeatContributor
{
    public const int Shown = 3;

    public async ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var dayStart = Kst.StartOf(Kst.DateOf(now));
        try
        {
            var today = await history.BetweenAsync(dayStart, dayStart.AddDays(1), cancellationToken);
            draft.Signals = new SignalsToday(
                today.Count,
                today.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).Take(Shown)
                    .Select(s => new RecentSignal(s.CreatedAt, s.Ticker, s.Name, s.Action, Math.Round(s.Confidence, 4), s.Reversal, s.Delivery.Status))
                    .ToList());
        }
        catch (DbException e)
        {
            draft.Warn($"signals unreadable: {e.Message}");
        }
    }
}
