namespace KrxSignal.Worker.Replay;

/// <summary>What one replayed day ran: polls per window and by outcome, pipeline runs between polls, dedup suppressions.</summary>
internal sealed class ReplayDayTally(DateOnly day)
{
    public DateOnly Day { get; } = day;

    public Dictionary<string, int> PollsPerWindow { get; } = [];

    public Dictionary<string, int> PollOutcomes { get; } = [];

    public int Polls => PollsPerWindow.Values.Sum();

    public int PipelineRuns { get; set; }

    public int Suppressions { get; set; }

    public void Polled(string window, string outcome)
    {
        PollsPerWindow[window] = PollsPerWindow.GetValueOrDefault(window) + 1;
        PollOutcomes[outcome] = PollOutcomes.GetValueOrDefault(outcome) + 1;
    }
}
