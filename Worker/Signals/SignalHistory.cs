using System.Globalization;
using Dapper;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Signals;

/// <summary>Signals as a person reads them back: `Worker signals`, the heartbeat and the replay summary.</summary>
public sealed class SignalHistory(Database connections)
{
    private const string RangeSql = """
        SELECT id AS Id, ticker AS Ticker, name AS Name, action AS Action, score AS Score, confidence AS Confidence, reason AS Reason,
               created_at AS CreatedAt, reversal AS Reversal, details AS Details, status AS Status, notified_at AS NotifiedAt,
               attempts AS Attempts, last_error AS LastError
        FROM signals
        WHERE created_at >= @From AND created_at < @To
        ORDER BY created_at, id
        """;

    /// <summary>Signals created in [from, to), oldest first.</summary>
    public async Task<IReadOnlyList<StoredSignal>> BetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SignalHistoryRow>(new CommandDefinition(RangeSql, new { From = from, To = to }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToSignal()).ToList();
    }

    /// <summary>How many signals fall in each confidence band, every band listed (zeros too) so spreads compare at a glance.</summary>
    public async Task<IReadOnlyList<ConfidenceBand>> BandsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var confidences = (await connection.QueryAsync<double>(new CommandDefinition("SELECT confidence FROM signals", cancellationToken: cancellationToken))).AsList();
        return ConfidenceBand.Count(confidences);
    }

    private sealed record SignalHistoryRow(
        long Id, string Ticker, string? Name, string Action, double Score, double Confidence, string Reason, DateTimeOffset CreatedAt,
        long Reversal, string Details, string Status, DateTimeOffset? NotifiedAt, long Attempts, string? LastError)
    {
        public StoredSignal ToSignal()
        {
            var details = SignalDetailsReader.Read(Details);
            return new StoredSignal(
                Id, Ticker, Name, Action, Score, Confidence, Reason, CreatedAt, Reversal == 1, details.Reverses,
                details.Votes, details.Articles, new SignalDelivery(Status, NotifiedAt, (int)Attempts, LastError));
        }
    }
}

/// <summary>One signal with its evidence and where its delivery stands.</summary>
public sealed record StoredSignal(
    long Id, string Ticker, string? Name, string Action, double Score, double Confidence, string Reason, DateTimeOffset CreatedAt,
    bool Reversal, ReversedSignal? Reverses, IReadOnlyList<VoteEvidence> Votes, IReadOnlyList<ArticleEvidence> Articles, SignalDelivery Delivery);

/// <param name="Status">signals.status: pending until every channel took it, then sent or failed.</param>
public sealed record SignalDelivery(string Status, DateTimeOffset? NotifiedAt, int Attempts, string? LastError);

/// <summary>A confidence range [From, To) and the signals in it (the top band includes 1.0).</summary>
public sealed record ConfidenceBand(double From, double To, int Signals)
{
    private static readonly double[] Edges = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

    public string Label => string.Create(CultureInfo.InvariantCulture, $"{From:0.0}–{To:0.0}");

    public static IReadOnlyList<ConfidenceBand> Count(IEnumerable<double> confidences)
    {
        var counts = new int[Edges.Length - 1];
        foreach (var c in confidences)
        {
            var band = Array.FindLastIndex(Edges, e => c >= e);
            counts[Math.Clamp(band, 0, counts.Length - 1)]++;
        }

        return counts.Select((n, i) => new ConfidenceBand(Edges[i], Edges[i + 1], n)).ToList();
    }
}
