namespace KrxSignal.Worker.Signals;

/// <summary>Freezes a candidate's votes and articles into the <see cref="SignalDetails"/> stored with it.</summary>
public static class EvidenceBuilder
{
    /// <summary>Long enough for a model's one or two sentences; a reasoning essay is cut, the full text stays in predictions.reasoning.</summary>
    public const int ReasoningExcerpt = 200;

    public static SignalDetails Build(SignalCandidate candidate, IReadOnlyList<VoteRow> rows, string? name, ImpactWeightsOptions weights)
    {
        var mine = rows.Where(r => r.Ticker == candidate.Ticker).ToList();
        var votes = mine
            .Select(r => new VoteEvidence(
                r.ModelId, r.ArticleId, r.Direction, r.Impact, r.Confidence, weights.For(r.Impact), TextExcerpt.Of(r.Reasoning, ReasoningExcerpt)))
            .ToList();

        // The articles that pushed hardest toward this action come first: they are the ones a message has room for.
        var towards = candidate.Action == SignalDecider.Buy ? 1 : -1;
        var articles = mine
            .GroupBy(r => r.ArticleId, StringComparer.Ordinal)
            .Select(g => (Row: g.First(), Pull: g.Sum(r => r.ToVote().Sign * towards * r.Confidence * weights.For(r.Impact))))
            .OrderByDescending(a => a.Pull)
            .ThenByDescending(a => a.Row.ArrivedAt)
            .ThenBy(a => a.Row.ArticleId, StringComparer.Ordinal)
            .Select(a => new ArticleEvidence(
                a.Row.ArticleId, TextExcerpt.Of(a.Row.Title, 300) ?? a.Row.ArticleId, a.Row.Url, TextExcerpt.Of(a.Row.Source, 80), a.Row.PublishedAt, a.Row.ArrivedAt))
            .ToList();
        return new SignalDetails(name, votes, articles);
    }
}
