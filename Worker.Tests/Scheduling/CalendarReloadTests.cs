using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static KrxSignal.Worker.Tests.Calendar.TestCalendars;

namespace KrxSignal.Worker.Tests.Scheduling;

/// <summary>holidays.json edited under a running daemon: the watcher, its quiet period on a fake clock, the reload.</summary>
public sealed class CalendarReloadTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(At(2026, 11, 25, 21, 0)); // Wednesday evening, after post-market
    private readonly FakeLogCollector _logs = new();
    private readonly MarketCalendarSource _source;
    private readonly MarketScheduleProvider _provider;
    private readonly MarketCalendarReloader _reloader;
    private readonly CalendarFileWatcher _watcher;

    public CalendarReloadTests()
    {
        File.WriteAllText(_folder.File("holidays.json"), """["2026-01-01", "2026-12-31"]""");
        _source = new MarketCalendarSource(Options.Create(new CalendarOptions()), new AppPaths(_folder.Path));
        _provider = new MarketScheduleProvider(_source, _time);
        _reloader = new MarketCalendarReloader(_source, _provider, _time, new FakeLogger<MarketCalendarReloader>(_logs));
        _watcher = new CalendarFileWatcher(_source, _reloader, _time, new FakeLogger<CalendarFileWatcher>(_logs));
    }

    public async Task InitializeAsync()
    {
        await _provider.BuildAsync(CancellationToken.None);
        await _watcher.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _watcher.StopAsync(CancellationToken.None);

    public void Dispose()
    {
        _watcher.Dispose();
        _reloader.Dispose();
        _source.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task EditHolidaysFile_UnderARunningWatcher_NextFireTimesChangeAfterTheQuietPeriod()
    {
        NextPoll().Should().Be(At(2026, 11, 26, 7, 0), "Thursday is a trading day before the edit");

        var reloaded = await EditAndSettleAsync("""["2026-01-01", "2026-11-26", "2026-12-31"]""");

        reloaded.Should().BeTrue();
        NextPoll().Should().Be(At(2026, 11, 27, 7, 0), "the edit closed Thursday");
        _logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Information && r.Message.Contains("Market calendar reloaded (holidays.json changed)", StringComparison.Ordinal)
            && r.Message.Contains("next poll 2026-11-27 07:00 KST", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EditHolidaysFile_BrokenEdit_KeepsTheOldCalendarAndLogsFileLineAndProblem()
    {
        var reloaded = await EditAndSettleAsync("[\n  \"2026-01-01\",\n  \"2026-13-45\"\n]");

        reloaded.Should().BeFalse();
        NextPoll().Should().Be(At(2026, 11, 26, 7, 0));
        _logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Error
            && r.Message.Contains($"{_source.FilePath} line 3", StringComparison.Ordinal)
            && r.Message.Contains("The calendar loaded before stays in force", StringComparison.Ordinal));
    }

    private DateTimeOffset? NextPoll() => _provider.Current!.NextFireAfter(_time.GetUtcNow())?.Time.ToOffset(TimeSpan.FromHours(9));

    /// <summary>Writes the file, then moves the fake clock past each quiet period the watcher starts until a reload is done.</summary>
    private async Task<bool> EditAndSettleAsync(string content)
    {
        var armed = new SemaphoreSlim(0);
        var reloaded = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _watcher.DebounceStarted += () => armed.Release();
        _reloader.Reloaded += ok => reloaded.TrySetResult(ok);

        await File.WriteAllTextAsync(_folder.File("holidays.json"), content);

        var deadline = TimeProvider.System.GetTimestamp();
        while (!reloaded.Task.IsCompleted)
        {
            var next = await Task.WhenAny(reloaded.Task, armed.WaitAsync(TimeSpan.FromSeconds(10)));
            if (next is Task<bool> { Result: false } && !reloaded.Task.IsCompleted)
            {
                throw new TimeoutException("The watcher saw no change of holidays.json within 10 s.");
            }

            if (!reloaded.Task.IsCompleted)
            {
                _time.Advance(CalendarFileWatcher.Debounce);
            }

            TimeProvider.System.GetElapsedTime(deadline).Should().BeLessThan(TimeSpan.FromSeconds(30));
        }

        return await reloaded.Task;
    }
}
