using KrxSignal.Worker.Health;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KrxSignal.Worker.Tests.Health;

public sealed class HeartbeatWriterTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 19, 1, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ExecuteAsync_EveryInterval_RewritesWithContributorsAndWorstStatus()
    {
        using var writer = CreateWriter(new StubContributor(HealthStatus.Degraded, "model gpt failing"), new StubContributor(HealthStatus.Healthy, "ok part"));
        var writes = new WriteRecorder(writer);

        await writer.StartAsync(CancellationToken.None);
        var first = await writes.NextAsync();
        _time.Advance(TimeSpan.FromSeconds(15));
        var second = await writes.NextAsync();
        await writer.StopAsync(CancellationToken.None);

        first.Status.Should().Be(HealthStatus.Degraded);
        first.Reasons.Should().Equal("model gpt failing", "ok part");
        first.IntervalSeconds.Should().Be(15);
        second.WrittenAt.Should().Be(Start.AddSeconds(15));
        var onDisk = await HeartbeatFile.ReadAsync(writer.FilePath, CancellationToken.None);
        onDisk!.Status.Should().Be(HealthStatus.Stopped);
    }

    [Fact]
    public async Task RequestWrite_BetweenTicks_WritesWithoutWaitingForTheInterval()
    {
        using var writer = CreateWriter();
        var writes = new WriteRecorder(writer);
        await writer.StartAsync(CancellationToken.None);
        await writes.NextAsync();

        _time.Advance(TimeSpan.FromSeconds(2));
        writer.RequestWrite();
        var onDemand = await writes.NextAsync();
        await writer.StopAsync(CancellationToken.None);

        onDemand.WrittenAt.Should().Be(Start.AddSeconds(2));
    }

    [Fact]
    public async Task ExecuteAsync_TicksAndRequests_ThrowNothingOnTheWay()
    {
        // An idle daemon runs this loop all night: an exception thrown and caught on each round (a cancelled wait)
        // is most of what a round costs. The flag flows with the loop's execution context, so exceptions other tests
        // throw at the same time are not counted.
        var inThisLoop = new AsyncLocal<bool>();
        var thrown = new List<Exception>();
        void Record(object? _, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (inThisLoop.Value)
            {
                lock (thrown)
                {
                    thrown.Add(e.Exception);
                }
            }
        }

        using var writer = CreateWriter(new StubContributor(HealthStatus.Healthy, "ok"));
        var writes = new WriteRecorder(writer);
        AppDomain.CurrentDomain.FirstChanceException += Record;
        try
        {
            inThisLoop.Value = true;
            await writer.StartAsync(CancellationToken.None);
            inThisLoop.Value = false;
            await writes.NextAsync();
            for (var round = 1; round <= 6; round++)
            {
                if (round % 3 == 0)
                {
                    writer.RequestWrite();
                }
                else
                {
                    _time.Advance(TimeSpan.FromSeconds(15));
                }

                await writes.NextAsync();
            }

            lock (thrown)
            {
                thrown.Should().BeEmpty();
            }
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Record;
            await writer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task ExecuteAsync_TimerTicks_ReadSectionsAfreshOnlyEveryFewTicksOrWhenAsked()
    {
        var counting = new CountingContributor();
        using var writer = CreateWriter(counting);
        var writes = new WriteRecorder(writer);
        await writer.StartAsync(CancellationToken.None);
        await writes.NextAsync();

        var written = new List<HeartbeatDocument>();
        for (var tick = 1; tick <= HeartbeatWriter.RefreshEveryTicks; tick++)
        {
            _time.Advance(TimeSpan.FromSeconds(15));
            written.Add(await writes.NextAsync());
        }

        var readsAfterTicks = counting.Reads;
        writer.RequestWrite();
        var asked = await writes.NextAsync();
        await writer.StopAsync(CancellationToken.None);

        written.Select(d => d.WrittenAt).Should().Equal(Enumerable.Range(1, HeartbeatWriter.RefreshEveryTicks).Select(i => Start.AddSeconds(15 * i)), "every tick still writes");
        written.Select(d => d.Reasons.Single()).Should().Equal("read 1", "read 1", "read 1", "read 2");
        readsAfterTicks.Should().Be(2, "the first write and the fourth tick read the sections");
        asked.Reasons.Single().Should().Be("read 3", "a write a job asks for reads afresh");
    }

    [Fact]
    public async Task WriteAsync_ExistingFile_IsReplacedWholeWithNoTemporaryLeft()
    {
        var path = _folder.File("data/heartbeat.json");
        await HeartbeatFile.WriteAsync(path, Document(HealthStatus.Healthy), CancellationToken.None);

        await HeartbeatFile.WriteAsync(path, Document(HealthStatus.Unhealthy), CancellationToken.None);

        (await HeartbeatFile.ReadAsync(path, CancellationToken.None))!.Status.Should().Be(HealthStatus.Unhealthy);
        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().ContainSingle();
    }

    [Fact]
    public async Task IsAlive_WritesLanding_TrueUntilThreeIntervalsWithoutOne()
    {
        using var writer = CreateWriter();
        var writes = new WriteRecorder(writer);
        await writer.StartAsync(CancellationToken.None);
        await writes.NextAsync();

        var aliveAtLimit = writer.IsAlive(Start.AddSeconds(45), out _);
        var aliveAfter = writer.IsAlive(Start.AddSeconds(46), out var reason);
        await writer.StopAsync(CancellationToken.None);

        aliveAtLimit.Should().BeTrue();
        aliveAfter.Should().BeFalse();
        reason.Should().Contain("last heartbeat written 46s ago").And.Contain("expected every 15s");
    }

    [Fact]
    public void IsAlive_BeforeTheFirstWrite_GivesThreeIntervalsOfGrace()
    {
        using var writer = CreateWriter();

        writer.IsAlive(Start.AddSeconds(45), out _).Should().BeTrue();
        writer.IsAlive(Start.AddSeconds(46), out var reason).Should().BeFalse();
        reason.Should().Contain("no heartbeat written");
    }

    [Fact]
    public async Task WriteCurrent_ContributorThrowsDatabaseLocked_StillWritesDegradedNamingSectionAndClass()
    {
        using var writer = CreateWriter(new ThrowingContributor(), new StubContributor(HealthStatus.Healthy, "other part"));
        var writes = new WriteRecorder(writer);

        await writer.StartAsync(CancellationToken.None);
        var first = await writes.NextAsync();
        await writer.StopAsync(CancellationToken.None);

        first.Status.Should().Be(HealthStatus.Degraded);
        first.Reasons.Should().Equal("ThrowingContributor could not report: database locked by another process: SQLite Error 5: 'database is locked'.", "other part");
    }

    [Fact]
    public async Task WriteAsync_FileAlreadyPlantedBesideTheHeartbeat_NotTouchedAndTemporaryIsPrivate()
    {
        var path = _folder.File("data/heartbeat.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var planted = _folder.File("data/heartbeat.json.tmp");
        await File.WriteAllTextAsync(planted, "planted");

        await HeartbeatFile.WriteAsync(path, Document(HealthStatus.Healthy), CancellationToken.None);

        (await File.ReadAllTextAsync(planted)).Should().Be("planted", "the temporary file has a random name and is created new");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private sealed class ThrowingContributor : IHeartbeatContributor
    {
        public ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken) =>
            throw new Microsoft.Data.Sqlite.SqliteException("SQLite Error 5: 'database is locked'.", 5);
    }

    private static HeartbeatDocument Document(HealthStatus status) => new()
    {
        Status = status,
        Reasons = [],
        Pid = 1,
        Version = "t",
        StartedAt = Start,
        WrittenAt = Start,
        IntervalSeconds = 15,
    };

    private HeartbeatWriter CreateWriter(params IHeartbeatContributor[] contributors) => new(
        Options.Create(new HeartbeatOptions { Path = "data/heartbeat.json", Interval = TimeSpan.FromSeconds(15) }),
        new AppPaths(_folder.Path),
        contributors,
        _time,
        NullLogger<HeartbeatWriter>.Instance);

    private sealed class CountingContributor : IHeartbeatContributor
    {
        public int Reads { get; private set; }

        public ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken)
        {
            draft.Report(HealthStatus.Healthy, $"read {++Reads}");
            return ValueTask.CompletedTask;
        }
    }

    private sealed class StubContributor(HealthStatus status, string reason) : IHeartbeatContributor
    {
        public ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken)
        {
            draft.Report(status, reason);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Hands out each write in order, so a test waits for a write instead of sleeping.</summary>
    private sealed class WriteRecorder
    {
        private readonly System.Threading.Channels.Channel<HeartbeatDocument> _writes = System.Threading.Channels.Channel.CreateUnbounded<HeartbeatDocument>();

        public WriteRecorder(HeartbeatWriter writer) => writer.Written += d => _writes.Writer.TryWrite(d);

        public async Task<HeartbeatDocument> NextAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await _writes.Reader.ReadAsync(timeout.Token);
        }
    }
}
