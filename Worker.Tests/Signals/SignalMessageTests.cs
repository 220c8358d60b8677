using System.Text.Json;
using System.Text.RegularExpressions;
using KrxSignal.Worker.Notify.Channels;
using KrxSignal.Worker.Notify.Outbox;
using KrxSignal.Worker.Signals;

namespace KrxSignal.Worker.Tests.Signals;

public sealed partial class SignalMessageTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 20, 0, 14, 0, TimeSpan.Zero); // 09:14 KST

    [Fact]
    public void ForSignal_WebhookBody_CarriesNameVotesArticlesAndReversal()
    {
        var message = MessageComposer.ForSignal(Row(Details()));

        using var body = JsonDocument.Parse(message.Payload);
        var root = body.RootElement;
        root.GetProperty("ticker").GetString().Should().Be("000660");
        root.GetProperty("name").GetString().Should().Be("SK하이닉스");
        root.GetProperty("action").GetString().Should().Be("buy");
        root.GetProperty("reversal").GetBoolean().Should().BeTrue();
        root.GetProperty("reverses_signal_id").GetInt64().Should().Be(2);
        var votes = root.GetProperty("votes").EnumerateArray().ToList();
        votes.Select(v => v.GetProperty("model").GetString()).Should().Equal("lexicon", "sentiment");
        votes[0].GetProperty("reasoning").GetString().Should().Be("score +4 from beat, upgrad, strong");
        votes[1].GetProperty("confidence").GetDouble().Should().Be(0.47);
        var article = root.GetProperty("articles").EnumerateArray().First();
        article.GetProperty("url").GetString().Should().Be("https://news.example/18?a=1&b=2");
        article.GetProperty("published_at").GetDateTimeOffset().Should().Be(Created.AddMinutes(-4));
    }

    [Fact]
    public void ForSignal_TelegramText_NameVotesLinkAndReversalInHtml()
    {
        var text = MessageComposer.ForSignal(Row(Details())).Text;

        var lines = text.Split('\n');
        lines[0].Should().Be("<b>BUY 000660 SK하이닉스</b>");
        lines[1].Should().Be("score +0.61, confidence 0.61 · 2026-11-20 09:14 KST");
        lines[2].Should().Be("<b>REVERSAL</b> of the sell signal of 2026-11-20 07:10 KST");
        lines.Should().Contain("• lexicon: up, high impact, confidence 0.70 — score +4 from beat, upgrad, strong");
        lines.Should().Contain("• sentiment: up, medium impact, confidence 0.47 — article 0.73 &lt;b&gt; &amp; ticker -0.06");
        text.Should().Contain("<a href=\"https://news.example/18?a=1&amp;b=2\">SK하이닉스 실적 &lt;서프라이즈&gt;</a> · 매일경제 · 09:10 KST");
        WellFormed(text);
    }

    [Fact]
    public void ForSignal_HostileText_ControlCharactersStrippedAndNonHttpLinksDropped()
    {
        var details = Details() with
        {
            Name = "SK\u0000하이닉스\u202E",
            Articles = [new ArticleEvidence("n-1", "<script>alert(1)</script>\u0007 & more", "javascript:alert(1)", "x\u001b[31m", Created, Created)],
        };

        var text = MessageComposer.ForSignal(Row(details)).Text;

        text.Should().StartWith("<b>BUY 000660 SK하이닉스</b>");
        text.Should().Contain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more");
        text.Should().NotContain("javascript:").And.NotContain("<a ").And.NotContain("\u001b").And.NotContain("\u0007").And.NotContain("\u202E");
        text.Where(c => char.IsControl(c) && c != '\n').Should().BeEmpty();
        WellFormed(text);
    }

    [Fact]
    public void ForSignal_HundredsOfVotesAndArticles_TextWithinTelegramLimitAndCountsTheRest()
    {
        var votes = Enumerable.Range(0, 300)
            .Select(i => new VoteEvidence($"model-{i}", $"n-{i}", "up", "high", 0.8, 1.0, new string('&', 150) + " <reason>"))
            .ToList();
        var articles = Enumerable.Range(0, 50)
            .Select(i => new ArticleEvidence($"n-{i}", new string('<', 250), $"https://news.example/{i}?q=&", "source", Created, Created))
            .ToList();

        var text = MessageComposer.ForSignal(Row(Details() with { Votes = votes, Articles = articles })).Text;

        text.Length.Should().BeLessThanOrEqualTo(TelegramHtml.MaxLength);
        text.Length.Should().BeGreaterThan(3000, "the room is used, not thrown away");
        text.Should().Contain("more votes)", "the votes that did not fit are counted");
        text.Should().Contain("<a href=\"https://news.example/0?q=&amp;\">", "a flood of votes does not crowd out the articles");
        text.Should().EndWith("(+47 more articles)");
        WellFormed(text);
    }

    [Fact]
    public void ForSignal_RowWrittenBeforeDetailsExisted_RendersWithoutVotes()
    {
        var message = MessageComposer.ForSignal(Row("{}"));

        message.Text.Should().StartWith("<b>BUY 000660</b>");
        JsonDocument.Parse(message.Payload).RootElement.GetProperty("votes").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public void TelegramSendMessage_Serialized_AsksForHtmlParseMode()
    {
        var json = JsonSerializer.Serialize(new TelegramSendMessage("42", "<b>x</b>"), TelegramJsonContext.Default.TelegramSendMessage);

        JsonDocument.Parse(json).RootElement.GetProperty("parse_mode").GetString().Should().Be("HTML");
    }

    /// <summary>What Telegram's HTML parser needs: only b and a tags, balanced, and every &amp; an entity.</summary>
    private static void WellFormed(string text)
    {
        var tags = Tag().Matches(text).Select(m => m.Value).ToList();
        tags.Should().OnlyContain(t => t == "<b>" || t == "</b>" || t.StartsWith("<a href=\"http", StringComparison.Ordinal) || t == "</a>");
        tags.Count(t => t == "<b>").Should().Be(tags.Count(t => t == "</b>"));
        tags.Count(t => t.StartsWith("<a ", StringComparison.Ordinal)).Should().Be(tags.Count(t => t == "</a>"));
        var outsideTags = Tag().Replace(text, "");
        outsideTags.Should().NotContain("<").And.NotContain(">");
        foreach (Match m in Ampersand().Matches(text))
        {
            Entity().IsMatch(text.AsSpan(m.Index)).Should().BeTrue($"the & at {m.Index} starts an entity");
        }
    }

    private static SignalRow Row(SignalDetails details) => Row(JsonSerializer.Serialize(details, SignalDetailsJson.Default.SignalDetails));

    private static SignalRow Row(string details) =>
        new(8, "000660", "buy", 0.614, 0.614, "score +0.614 from 2 predictions", new DateTimeOffset(2026, 11, 20, 0, 14, 0, TimeSpan.Zero), details);

    private static SignalDetails Details() => new(
        "SK하이닉스",
        [
            new VoteEvidence("lexicon", "n-0018", "up", "high", 0.7, 1.0, "score +4 from beat, upgrad, strong"),
            new VoteEvidence("sentiment", "n-0018", "up", "medium", 0.47, 0.6, "article 0.73 <b> & ticker -0.06"),
        ],
        [new ArticleEvidence("n-0018", "SK하이닉스 실적 <서프라이즈>", "https://news.example/18?a=1&b=2", "매일경제", Created.AddMinutes(-4), Created.AddMinutes(-1))],
        new ReversedSignal(2, "sell", new DateTimeOffset(2026, 11, 19, 22, 10, 0, TimeSpan.Zero)));

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex("&")]
    private static partial Regex Ampersand();

    [GeneratedRegex("^&(amp|lt|gt|quot);")]
    private static partial Regex Entity();
}
