using System.Globalization;
using KrxSignal.SampleDayGenerator;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Replay;
using KrxSignal.Worker.Scheduling;
using Microsoft.Extensions.DependencyInjection;

// Writes a synthetic replay file for one trading day. The poll instants come from the daemon's own
// calendar and triggers, so the sample has exactly the polls the daemon would make that day.
//   dotnet run --project samples/SampleDayGenerator -- --day 2026-11-20 --seed 20261120 --out samples/sample-day-2026-11-20.jsonl
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;

var day = DateOnly.ParseExact(Arg("--day", "2026-11-20"), "yyyy-MM-dd", CultureInfo.InvariantCulture);
var seed = int.Parse(Arg("--seed", "20261120"), CultureInfo.InvariantCulture);
var output = Arg("--out", $"sample-day-{day:yyyy-MM-dd}.jsonl");

using var host = WorkerHost.CreateBuilder(new WorkerHostSettings { ConsoleLogsToStandardError = true }).Build();
var calendar = await host.Services.GetRequiredService<MarketCalendarSource>().LoadAsync(CancellationToken.None);
var dayStart = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(9));
var polls = MarketSchedule.Create(calendar, TimeProvider.System, dayStart, PollJob.Key).FireTimes(dayStart, dayStart.AddDays(1)).ToList();
if (polls.Count == 0)
{
    await Console.Error.WriteLineAsync($"{day:yyyy-MM-dd} is not a trading day in holidays.json.");
    return 2;
}

var records = new SampleDay(polls.Select(p => p.Time).ToList(), seed).Generate().ToList();
await using (var file = File.Create(output))
{
    await ReplayFile.WriteAsync(file, records, CancellationToken.None);
}

await Console.Out.WriteLineAsync($"{output}: {records.Count} recordings over {polls.Count} polls, {new FileInfo(output).Length / 1024} KiB");
return 0;
