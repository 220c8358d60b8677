using System.Globalization;

namespace KrxSignal.Worker.Signals;

/// <summary>Turns consensus into buy/sell candidates: quorum, articles, thresholds, and a sell only for a held ticker.</summary>
public static class SignalDecider
{
    public const string Buy = "buy";
    public const string Sell = "sell";

    public static string Opposite(string action) => action == Buy ? Sell : Buy;

    public static SignalDecision Decide(IReadOnlyList<TickerConsensus> consensus, HoldingsView holdings, SignalsOptions options)
    {
        var candidates = new List<SignalCandidate>();
        var refusals = new List<SignalRefusal>();
        int belowQuorum = 0, belowArticles = 0;
        foreach (var c in consensus)
        {
            if (c.Models < options.Quorum)
            {
                belowQuorum++;
                continue;
            }

            var action = c.Score >= options.BuyThreshold && c.Score > 0 ? Buy
                : c.Score <= -options.SellThreshold && c.Score < 0 ? Sell
                : null;
            if (action is null)
            {
                continue;
            }

            if (c.Articles < options.MinArticles)
            {
                belowArticles++;
                refusals.Add(new SignalRefusal(c.Ticker, action, c.Score, string.Create(
                    CultureInfo.InvariantCulture, $"{action} refused: {c.Articles} article(s), Signals:MinArticles is {options.MinArticles}")));
                continue;
            }

            var basis = string.Create(
                CultureInfo.InvariantCulture,
                $"score {c.Score:+0.000;-0.000;0.000} from {c.Votes.Count} predictions ({c.Up} up, {c.Down} down, {c.Neutral} neutral) by {c.Models} models on {c.Articles} articles in the last {options.LookbackMinutes} min");
            if (action == Buy)
            {
                // A buy does not depend on holdings, but the reason says when they could not be checked.
                var holdingNote = holdings.Held is null
                    ? $"holdings not checked: {holdings.Problem}"
                    : holdings.Held.Contains(c.Ticker) ? "already held" : "not held";
                candidates.Add(new SignalCandidate(c.Ticker, Buy, c.Score, Math.Abs(c.Score), $"{basis}; {holdingNote}", c));
            }
            else if (holdings.Held is null)
            {
                refusals.Add(new SignalRefusal(c.Ticker, Sell, c.Score, $"sell refused: {holdings.Problem}"));
            }
            else if (!holdings.Held.Contains(c.Ticker))
            {
                refusals.Add(new SignalRefusal(c.Ticker, Sell, c.Score, "sell refused: not held in the latest portfolio"));
            }
            else
            {
                candidates.Add(new SignalCandidate(c.Ticker, Sell, c.Score, Math.Abs(c.Score), $"{basis}; held in the latest portfolio", c));
            }
        }

        return new SignalDecision(candidates, refusals, belowQuorum, belowArticles);
    }
}
