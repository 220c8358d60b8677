using KrxSignal.Worker.Replay;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Replay;

public sealed class ReplayFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task WriteThenRead_JsonHtmlAndFailures_RoundTrip()
    {
        var t = new DateTimeOffset(2026, 11, 19, 9, 0, 0, TimeSpan.FromHours(9));
        ReplayRecord[] records =
        [
            new() { Time = t, Endpoint = "portfolio", Status = 200, LatencyMs = 80, Body = System.Text.Json.JsonDocument.Parse("""{"as_of":"2026-11-19T09:00:00+09:00","title":"삼성전자"}""").RootElement.Clone() },
            new() { Time = t.AddSeconds(1), Endpoint = "screener", Status = 200, BodyText = "<html>maintenance</html>" },
            new() { Time = t.AddSeconds(2), Endpoint = "news-sentiment", Failure = ReplayRecord.Failures.Timeout, LatencyMs = 10_000 },
            new() { Time = t.AddSeconds(3), Endpoint = "news-sentiment", Status = 429, RetryAfter = "30" },
        ];
        var path = _folder.File("day.jsonl");

        await using (var file = File.Create(path))
        {
            await ReplayFile.WriteAsync(file, records, CancellationToken.None);
        }

        var read = await ReplayFile.ReadAsync(path, CancellationToken.None);

        read.Should().HaveCount(4);
        read[0].Body!.Value.GetProperty("title").GetString().Should().Be("삼성전자");
        (await File.ReadAllTextAsync(path)).Should().Contain("삼성전자", "Korean text stays readable in the file");
        read[1].BodyText.Should().Be("<html>maintenance</html>");
        read[2].Failure.Should().Be("timeout");
        read[3].RetryAfter.Should().Be("30");
        read[0].Time.Should().Be(t);
    }

    [Theory]
    [InlineData("""{"time":"2026-11-19T09:00:00+09:00","endpoint":"quotes","status":200}""", "unknown endpoint 'quotes'")]
    [InlineData("""{"time":"2026-11-19T09:00:00+09:00","endpoint":"portfolio"}""", "neither a status nor a failure")]
    [InlineData("""{"time":"2026-11-19T09:00:00+09:00","endpoint":"portfolio",""", "not a replay record")]
    public async Task ReadAsync_BadLine_NamesFileAndLine(string badLine, string problem)
    {
        var path = _folder.File("bad.jsonl");
        await File.WriteAllLinesAsync(path, ["""{"time":"2026-11-19T09:00:00+09:00","endpoint":"portfolio","status":200,"body":{}}""", badLine]);

        var act = () => ReplayFile.ReadAsync(path, CancellationToken.None);

        (await act.Should().ThrowAsync<InvalidDataException>()).Which.Message.Should().Contain($"{path}:2:").And.Contain(problem);
    }
}
