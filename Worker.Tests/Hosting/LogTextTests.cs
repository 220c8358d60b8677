using System.Text;
using KrxSignal.Worker.Logging;

namespace KrxSignal.Worker.Tests.Hosting;

public sealed class LogTextTests
{
    [Theory]
    [InlineData("n-1\n2026 CRITICAL", @"n-1\n2026 CRITICAL")]
    [InlineData("a\r\nb", @"a\r\nb")]
    [InlineData("tab\there", @"tab\there")]
    [InlineData("\u001b[31mred", @"\u001b[31mred")]
    [InlineData("nel\u0085line\u2028sep\u2029para", @"nel\u0085line\u2028sep\u2029para")]
    [InlineData(@"C:\ProgramData\KrxSignalWorker", @"C:\ProgramData\KrxSignalWorker")]
    [InlineData("삼성전자 수주", "삼성전자 수주")]
    public void Escape_OutsideText_LeavesNoControlCharacterOrLineBreak(string text, string expected)
    {
        var escaped = LogText.Escape(text);

        escaped.Should().Be(expected);
        escaped.Any(c => char.IsControl(c) || c == '\u2028' || c == '\u2029').Should().BeFalse();
    }

    [Fact]
    public void Escape_KeepingLineBreaks_IndentsEveryFollowingLine()
    {
        var builder = new StringBuilder("record: ").Append("System.Exception: bad\r\n   at X()\n2026 CRITICAL forged\u001b");

        LogText.Escape(builder, "record: ".Length, keepLineBreaks: true);

        var lines = builder.ToString().Split('\n');
        lines.Should().HaveCount(3);
        lines.Skip(1).Should().OnlyContain(l => l.StartsWith("    ", StringComparison.Ordinal));
        lines[2].Should().EndWith(@"forged\u001b");
    }
}
