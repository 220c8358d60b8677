using System.Text;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Tests.Calendar;

public sealed class HolidayFileParserTests
{
    private static MarketCalendar Parse(string json) => HolidayFileParser.Parse("/etc/krx/holidays.json", Encoding.UTF8.GetBytes(json), TestCalendars.Kst);

    private static string Year2026(string closed, string special = "") => $$"""
        {
          "timeZone": "Asia/Seoul",
          "years": {
            "2026": {
              "status": "announced",
              "closed": [
                {{closed}}
              ],
              "special": [{{special}}]
            }
          }
        }
        """;

    [Fact]
    public void Parse_ShippedFile_CoversFourYearsWithTheResearchedDays()
    {
        var calendar = TestCalendars.Shipped;

        calendar.Years.Keys.Should().Equal(2024, 2025, 2026, 2027);
        calendar.Years.Values.Select(y => y.Closed.Count).Should().Equal(18, 19, 17, 16);
        calendar.Years.Values.Should().OnlyContain(y => y.Special.Count == 2);
        calendar.Years[2027].Status.Should().Be(EntryStatus.Expected);
        calendar.SessionOn(new DateOnly(2026, 11, 19)).Should().Be(new TradingSession(new DateOnly(2026, 11, 19), new TimeOnly(10, 0), new TimeOnly(16, 30), "College entrance exam day (수능, CSAT)"));
        calendar.ClosedReason(new DateOnly(2026, 12, 31)).Should().Be("Year-end closing day (연말 휴장일)");
    }

    [Fact]
    public void Parse_FlatListOfThePythonWorker_IsAccepted()
    {
        var calendar = Parse("""["2026-01-01", "2026-02-17", "2026-02-21"]""");

        calendar.IsCovered(2026).Should().BeTrue();
        calendar.ClosedReason(new DateOnly(2026, 2, 17)).Should().Be("closed");
        calendar.SessionOn(new DateOnly(2026, 2, 16))!.Open.Should().Be(new TimeOnly(9, 0));
    }

    [Theory]
    [InlineData("""{ "date": "2026-02-17", "name": "Seollal" },""", 8, "invalid JSON: The JSON array contains a trailing comma")] // found at the "]" on the next line
    [InlineData("""{ "date": "2026-02-30", "name": "Nope" }""", 7, "\"2026-02-30\" is not a date (yyyy-MM-dd)")]
    [InlineData("""{ "date": "2026-02-21", "name": "Saturday" }""", 7, "2026-02-21 is a Saturday")]
    [InlineData("""{ "date": "2025-02-17", "name": "Wrong year" }""", 7, "2025-02-17 is listed under 2026")]
    [InlineData("""{ "date": "2026-02-17", "nmae": "Typo" }""", 7, "unknown key \"nmae\"")]
    [InlineData("""{ "date": "2026-02-17", "name": "A" }, { "date": "2026-02-17", "name": "B" }""", 7, "2026-02-17 is listed twice in 2026")]
    [InlineData("""{ "name": "No date" }""", 7, "needs both \"date\" and \"name\"")]
    [InlineData("""{ "date": "2026-02-17", "name": "A", "status": "rumoured" }""", 7, "status must be \"announced\" or \"expected\"")]
    public void Parse_MalformedEntry_NamesFileLineAndProblem(string closed, int line, string problem)
    {
        var act = () => Parse(Year2026(closed));

        act.Should().Throw<CalendarConfigurationException>()
            .Which.Message.Should().StartWith($"/etc/krx/holidays.json line {line}: ").And.Contain(problem);
    }

    [Fact]
    public void Parse_SpecialSessionWithoutClose_NamesItsLine()
    {
        var act = () => Parse(Year2026("""{ "date": "2026-01-01", "name": "New Year" }""", """

                { "date": "2026-01-02", "open": "10:00", "name": "First trading day" }
            """));

        act.Should().Throw<CalendarConfigurationException>()
            .WithMessage("/etc/krx/holidays.json line 10: the special session on 2026-01-02 needs \"open\" and \"close\" (HH:mm)");
    }

    [Fact]
    public void Parse_WrongTimeZone_IsRefused()
    {
        var act = () => Parse("""{ "timeZone": "UTC", "years": {} }""");

        act.Should().Throw<CalendarConfigurationException>().WithMessage("*line 1: timeZone must be \"Asia/Seoul\"*");
    }

    [Fact]
    public void TryDescribe_CalendarError_IsAConfigurationErrorWithOneLine()
    {
        var error = Record.Exception(() => Parse(Year2026("""{ "date": "2026-02-30", "name": "Nope" }""")));

        ConfigurationErrors.TryDescribe(error!, out var message).Should().BeTrue();
        message.Should().StartWith("/etc/krx/holidays.json line 7:").And.NotContain("\n");
    }
}
