using System.Globalization;

namespace KrxSignal.Worker.Signals;

/// <summary>Turns consensus into buy/sell candidates: quorum, thresholds, and a sell only for a held ticker.</summary>
public static class SignalDecider
{
    public const string Buy = "buy";
    public const string Sell = "sell";

    public static (IReadOnlyList<SignalCandidate> Candidates, IReadOnlyList<SignalRefusal> Refusals, int BelowQuorum) Decide(
        IReadOnlyList<TickerConsensus> consensus, HoldingsView holdings, SignalsOptions options)
    {
        var candidates = new List<SignalCandidate>();
        var refusals = new List<SignalRefusal>();
        var belowQuorum = 0;
        foreach (var c in consensus)
        {
            if (c.Models < options.Quorum)
            {
                belowQuorum++;
                continue;
            }

            var basis = string.Create(
                CultureInfo.InvariantCulture,
                $"score {c.Score:+0.000;-0.000;0.000} from {c.Votes} predictions ({c.Up} up, {c.Down} down, {c.Neutral} neutral) by {c.Models} models in the last {options.LookbackMinutes} min");
            if (c.Score >= options.BuyThreshold && c.Score > 0)
            {
                // A buy does not depend on holdings, but the reason says when they could not be checked.
                var holdingNote = holdings.Held is null
                    ? $"holdings not checked: {holdings.Problem}"
                    : holdings.Held.Contains(c.Ticker) ? "already held" : "not held";
                candidates.Add(new SignalCandidate(c.Ticker, Buy, c.Score, Math.Abs(c.Score), $"{basis}; {holdingNote}"));
            }
            else if (c.Score <= -options.SellThreshold && c.Score < 0)
            {
                if (holdings.Held is null)
                {
                    refusals.Add(new SignalRefusal(c.Ticker, Sell, c.Score, $"sell refused: {holdings.Problem}"));
                }
                else if (!holdings.Held.Contains(c.Ticker))
                {
                    refusals.Add(new SignalRefusal(c.Ticker, Sell, c.Score, "sell refused: not held in the latest portfolio"));
                }
                else
                {
                    candidates.Add(new SignalCandidate(c.Ticker, Sell, c.Score, Math.Abs(c.Score), $"{basis}; held in the latest portfolio"));
                }
            }
        }

        return (candidates, refusals, belowQuorum);
    }
}
