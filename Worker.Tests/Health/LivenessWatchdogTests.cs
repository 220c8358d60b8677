using KrxSignal.Worker.Health;
using KrxSignal.Worker.Health.Watchdog;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KrxSignal.Worker.Tests.Health;

public sealed class LivenessWatchdogTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 19, 1, 0, 0, TimeSpan.Zero);
    private static readonly SystemdWatchdogSettings SixtySeconds = new(TimeSpan.FromSeconds(60));
    private readonly TimerWatchingTimeProvider _time = new(Start);
    private readonly RecordingNotifier _notifier = new();
    private readonly FakeLogger<LivenessWatchdog> _logger = new();

    [Fact]
    public void Check_AllSourcesAlive_SendsOnePing()
    {
        var watchdog = Create(SixtySeconds, new StubSource("heartbeat"), new StubSource("scheduler"));

        watchdog.Check(Start);

        _notifier.Sent.Should().Equal("WATCHDOG=1");
    }

    [Fact]
    public void Check_OneSourceWedged_SendsNothingAndNamesItOnce()
    {
        var scheduler = new StubSource("scheduler");
        var watchdog = Create(SixtySeconds, new StubSource("heartbeat"), scheduler);
        scheduler.Wedge("no job ran for 5m");

        watchdog.Check(Start);
        watchdog.Check(Start.AddSeconds(30));

        _notifier.Sent.Should().BeEmpty();
        var critical = _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Critical).ToList();
        critical.Should().ContainSingle().Which.Message.Should().Contain("scheduler is wedged (no job ran for 5m)").And.Contain("systemd");
    }

    [Fact]
    public void Check_SourceAliveAgain_ResumesPingsAndSaysSo()
    {
        var heartbeat = new StubSource("heartbeat");
        var watchdog = Create(SixtySeconds, heartbeat);
        heartbeat.Wedge("stalled");
        watchdog.Check(Start);

        heartbeat.Revive();
        watchdog.Check(Start.AddSeconds(30));

        _notifier.Sent.Should().Equal("WATCHDOG=1");
        _logger.Collector.LatestRecord.Message.Should().Contain("heartbeat is alive again after 30s");
    }

    [Fact]
    public void Check_WedgedWithoutSystemdWatchdog_ThrowsOnceSelfRestartAfterHasPassed()
    {
        var heartbeat = new StubSource("heartbeat");
        var watchdog = Create(SystemdWatchdogSettings.Disabled, heartbeat);
        heartbeat.Wedge("stalled");

        watchdog.Check(Start);
        watchdog.Check(Start.AddMinutes(2));
        var act = () => watchdog.Check(Start.AddMinutes(3));

        act.Should().Throw<DaemonWedgedException>().WithMessage("heartbeat has been wedged for 3m 0s: stalled");
        _notifier.Sent.Should().BeEmpty("no systemd watchdog was asked for");
    }

    [Fact]
    public void Check_WedgedUnderSystemdWatchdog_NeverThrowsBecauseSystemdRestartsIt()
    {
        var heartbeat = new StubSource("heartbeat");
        var watchdog = Create(SixtySeconds, heartbeat);
        heartbeat.Wedge("stalled");

        var act = () => watchdog.Check(Start.AddHours(1));

        act.Should().NotThrow();
    }

    [Fact]
    public async Task ExecuteAsync_SystemdWatchdog_PingsAtHalfTheTimeout()
    {
        var watchdog = Create(SixtySeconds, new StubSource("heartbeat"));
        await watchdog.StartAsync(CancellationToken.None);
        await _time.NextTimerAsync();

        _time.Advance(TimeSpan.FromSeconds(29));
        var beforeHalf = _notifier.Sent.Count;
        _time.Advance(TimeSpan.FromSeconds(1));
        await _notifier.WaitForAsync(1);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(30));
        await _notifier.WaitForAsync(2);
        await watchdog.StopAsync(CancellationToken.None);

        beforeHalf.Should().Be(0);
        watchdog.Period.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Check_NotifySocketGone_LogsOnceAndKeepsRunning()
    {
        _notifier.Failing = true;
        var watchdog = Create(SixtySeconds, new StubSource("heartbeat"));

        watchdog.Check(Start);
        watchdog.Check(Start.AddSeconds(30));

        _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Error).Should().ContainSingle()
            .Which.Message.Should().Contain("cannot send WATCHDOG=1");
    }

    [Theory]
    [InlineData("60000000", null, 4242, 60.0)]
    [InlineData("60000000", "4242", 4242, 60.0)]
    [InlineData("60000000", "1", 4242, null)]
    [InlineData("0", null, 4242, null)]
    [InlineData("soon", null, 4242, null)]
    [InlineData(null, null, 4242, null)]
    public void Parse_WatchdogVariables_EnabledOnlyForThisProcess(string? usec, string? pid, int processId, double? expectedSeconds)
    {
        var settings = SystemdWatchdogSettings.Parse(usec, pid, processId);

        settings.Timeout?.TotalSeconds.Should().Be(expectedSeconds);
        settings.Enabled.Should().Be(expectedSeconds is not null);
    }

    private LivenessWatchdog Create(SystemdWatchdogSettings systemd, params ILivenessSource[] sources) => new(
        sources, _notifier, systemd, Options.Create(new WatchdogOptions()), _time, _logger);

    private sealed class StubSource(string name) : ILivenessSource
    {
        private string? _wedged;

        public string Name => name;

        public void Wedge(string reason) => _wedged = reason;

        public void Revive() => _wedged = null;

        public bool IsAlive(DateTimeOffset now, out string reason)
        {
            reason = _wedged ?? "";
            return _wedged is null;
        }
    }

    private sealed class RecordingNotifier : ISystemdNotifier
    {
        private readonly List<string> _sent = [];
        private readonly System.Threading.Channels.Channel<string> _arrivals = System.Threading.Channels.Channel.CreateUnbounded<string>();
        private int _awaited;

        public bool Failing { get; set; }

        public bool IsEnabled => true;

        public List<string> Sent { get { lock (_sent) { return [.. _sent]; } } }

        public void Notify(ServiceState state)
        {
            if (Failing)
            {
                throw new System.Net.Sockets.SocketException(111);
            }

            lock (_sent)
            {
                _sent.Add(state.ToString());
            }

            _arrivals.Writer.TryWrite(state.ToString());
        }

        /// <summary>Waits until <paramref name="count"/> messages have arrived in all, instead of sleeping.</summary>
        public async Task WaitForAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            for (; _awaited < count; _awaited++)
            {
                await _arrivals.Reader.ReadAsync(timeout.Token);
            }
        }
    }

    /// <summary>BackgroundService runs ExecuteAsync on the thread pool: wait for its delay to exist before moving time.</summary>
    private sealed class TimerWatchingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly global::System.Threading.Channels.Channel<bool> _created = global::System.Threading.Channels.Channel.CreateUnbounded<bool>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _created.Writer.TryWrite(true);
            return timer;
        }

        public async Task NextTimerAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _created.Reader.ReadAsync(timeout.Token);
        }
    }
}
