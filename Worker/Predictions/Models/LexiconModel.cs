using System.Globalization;

namespace KrxSignal.Worker.Predictions.Models;

/// <summary>
/// Offline and deterministic: counts weighted up and down keywords in the title and summary.
/// score = Σ up weights − Σ down weights; the sign gives the direction, the size the impact and confidence.
/// </summary>
public sealed class LexiconModel : IPredictionModel
{
    public string Provider => "lexicon";

    public Task<ModelAnswer> PredictAsync(ModelOptions model, PendingArticle article, CancellationToken cancellationToken) =>
        Task.FromResult(Score($"{article.Title}\n{article.Summary}"));

    public static ModelAnswer Score(string text)
    {
        var lower = text.ToLowerInvariant();
        var (up, upHits) = Sum(lower, Lexicon.KoreanUp, Lexicon.EnglishUp);
        var (down, downHits) = Sum(lower, Lexicon.KoreanDown, Lexicon.EnglishDown);
        var score = up - down;
        var magnitude = Math.Abs(score);

        var direction = score switch { > 0 => "up", < 0 => "down", _ => "neutral" };
        var impact = magnitude switch { >= 4 => "high", >= 2 => "medium", _ => "low" };

        // Keywords are a weak signal: even many of them never claim more than 0.8.
        var confidence = score == 0 ? 0.2 : Math.Min(0.8, 0.3 + (0.1 * magnitude));
        var hits = upHits.Concat(downHits).ToList();
        var reasoning = hits.Count == 0
            ? "no lexicon keyword found"
            : string.Create(CultureInfo.InvariantCulture, $"score {score:+0;-0;0} from {string.Join(", ", hits.Take(8))}");
        return new ModelAnswer(direction, impact, Math.Round(confidence, 2), reasoning);
    }

    private static (int Sum, List<string> Hits) Sum(string lower, IReadOnlyList<(string Term, int Weight)> korean, IReadOnlyList<(string Term, int Weight)> english)
    {
        var sum = 0;
        var hits = new List<string>();
        foreach (var (term, weight) in korean)
        {
            if (lower.Contains(term, StringComparison.Ordinal))
            {
                sum += weight;
                hits.Add(term);
            }
        }

        foreach (var (term, weight) in english)
        {
            if (StartsAWord(lower, term))
            {
                sum += weight;
                hits.Add(term);
            }
        }

        return (sum, hits);
    }

    private static bool StartsAWord(string text, string term)
    {
        for (var at = text.IndexOf(term, StringComparison.Ordinal); at >= 0; at = text.IndexOf(term, at + 1, StringComparison.Ordinal))
        {
            if (at == 0 || !char.IsLetter(text[at - 1]))
            {
                return true;
            }
        }

        return false;
    }
}
