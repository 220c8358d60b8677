using System.Text.Json;
using KrxSignal.Worker.Replay;

namespace KrxSignal.Worker.Tests.Replay;

public sealed class ReplayTapeTests
{
    private static readonly DateTimeOffset Nine = new(2026, 11, 19, 9, 0, 0, TimeSpan.FromHours(9));

    [Fact]
    public void Next_RetriesRecordedInCycle_ServedInOrderThenLastSuccessReused()
    {
        var tape = new ReplayTape(
        [
            Record(Nine.AddSeconds(0.1), 500),
            Record(Nine.AddSeconds(1.2), 200, """{"n":1}"""),
            Record(Nine.AddMinutes(1).AddSeconds(0.1), 200, """{"n":2}"""),
        ]);

        tape.BeginCycle(Nine, Nine.AddMinutes(1));
        tape.Next("portfolio")!.Status.Should().Be(500);
        tape.Next("portfolio")!.Body!.Value.GetProperty("n").GetInt32().Should().Be(1);
        tape.Next("portfolio")!.Body!.Value.GetProperty("n").GetInt32().Should().Be(1, "nothing else was recorded in this cycle");

        tape.BeginCycle(Nine.AddMinutes(1), Nine.AddMinutes(2));
        tape.Next("portfolio")!.Body!.Value.GetProperty("n").GetInt32().Should().Be(2);
        (tape.Served, tape.Reused, tape.Missing).Should().Be((3, 1, 0));
    }

    [Fact]
    public void Next_RecordingsOfSkippedCycles_ArePassedOver()
    {
        var tape = new ReplayTape([Record(Nine.AddSeconds(1), 503), Record(Nine.AddMinutes(5).AddSeconds(1), 200, "{}")]);

        tape.BeginCycle(Nine.AddMinutes(5), Nine.AddMinutes(6));

        tape.Next("portfolio")!.Status.Should().Be(200);
    }

    [Fact]
    public void Next_NothingRecordedYet_ReturnsNull()
    {
        var tape = new ReplayTape([Record(Nine.AddMinutes(10), 200, "{}")]);
        tape.BeginCycle(Nine, Nine.AddMinutes(1));

        tape.Next("portfolio").Should().BeNull();
        tape.Next("screener").Should().BeNull();
        tape.Missing.Should().Be(2);
    }

    [Fact]
    public void Next_OnlyFailureRecordedInCycle_RetriesGetTheFailureAgain()
    {
        var tape = new ReplayTape([Record(Nine.AddMinutes(-1), 200, "{}"), Record(Nine.AddSeconds(0.2), 503)]);
        tape.BeginCycle(Nine, Nine.AddMinutes(1));

        tape.Next("portfolio")!.Status.Should().Be(503);
        tape.Next("portfolio")!.Status.Should().Be(503, "the outage lasts through the cycle's retries");
    }

    private static ReplayRecord Record(DateTimeOffset time, int status, string? json = null) => new()
    {
        Time = time,
        Endpoint = "portfolio",
        Status = status,
        Body = json is null ? null : JsonDocument.Parse(json).RootElement.Clone(),
    };
}
