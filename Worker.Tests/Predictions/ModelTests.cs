using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Predictions.Models;
using KrxSignal.Worker.Predictions.OpenAi;
using KrxSignal.Worker.StockApi;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KrxSignal.Worker.Tests.Predictions;

public sealed class ModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 19, 1, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("삼성전자, 어닝서프라이즈에 주가 급등", "up", "high")]
    [InlineData("SK hynix shares plunge after earnings miss", "down", "medium")]
    [InlineData("현대차, 하한가 추락… 횡령 혐의", "down", "high")]
    [InlineData("Board meeting scheduled for Tuesday", "neutral", "low")]
    public void Score_Headline_GivesDirectionAndImpact(string title, string direction, string impact)
    {
        var answer = LexiconModel.Score(title);

        answer.Direction.Should().Be(direction);
        answer.Impact.Should().Be(impact);
        answer.Confidence.Should().BeInRange(0, 0.8);
        LexiconModel.Score(title).Should().Be(answer, "the lexicon model is deterministic");
    }

    [Fact]
    public void Score_EnglishStem_MatchesOnlyAtWordStart()
    {
        LexiconModel.Score("Shares surged").Direction.Should().Be("up");
        LexiconModel.Score("Downcast mood").Direction.Should().Be("neutral", "'cast' is not 'cut', and 'down' alone is no keyword");
    }

    [Fact]
    public async Task PredictAsync_FreshTickerAndScreener_BlendsAllInputs()
    {
        var market = new MarketData(Options.Create(new StockApiOptions()), new FakeTimeProvider(Now));
        market.Publish(new Fetched<NewsSentiment>(new NewsSentiment(new DateOnly(2026, 11, 19), Now, [new TickerSentiment("005930", 0.5, 3)], []), Now.AddMinutes(-5)));
        market.Publish(new Fetched<ScreenerResult>(new ScreenerResult("preview", Now, [new ScreenerRow(1, "005930", 90)]), Now.AddMinutes(-5)));
        var model = new SentimentModel(market);

        var answer = await model.PredictAsync(new ModelOptions(), Article(sentiment: 0.7), CancellationToken.None);

        // 0.6 × 0.7 + 0.4 × 0.5 = 0.62, plus the whole 0.15 for rank 1 of 1.
        answer.Direction.Should().Be("up");
        answer.Impact.Should().Be("high");
        answer.Confidence.Should().Be(0.77);
        answer.Reasoning.Should().Contain("screener rank 1 of 1");
    }

    [Fact]
    public async Task PredictAsync_StaleMarketData_IgnoredAndConfidenceLowered()
    {
        var market = new MarketData(Options.Create(new StockApiOptions()), new FakeTimeProvider(Now));
        market.Publish(new Fetched<NewsSentiment>(new NewsSentiment(new DateOnly(2026, 11, 19), Now, [new TickerSentiment("005930", -1, 3)], []), Now.AddHours(-2)));
        var model = new SentimentModel(market);

        var answer = await model.PredictAsync(new ModelOptions(), Article(sentiment: 0.5), CancellationToken.None);

        answer.Direction.Should().Be("up", "the two-hour-old ticker score is older than MaxStaleAge");
        answer.Confidence.Should().Be(0.3);
        answer.Reasoning.Should().Contain("ticker n/a");
    }

    [Theory]
    [InlineData("The stock will go up.", "reply is not a JSON object")]
    [InlineData("```json\n{\"direction\":\"up\"}\n```", "impact is missing or not a string")]
    [InlineData("{\"direction\":\"sideways\",\"impact\":\"high\",\"confidence\":0.5,\"reasoning\":\"r\"}", "direction 'sideways' is not up, down or neutral")]
    [InlineData("{\"direction\":\"up\",\"impact\":\"huge\",\"confidence\":0.5,\"reasoning\":\"r\"}", "impact 'huge' is not high, medium or low")]
    [InlineData("{\"direction\":\"up\",\"impact\":\"high\",\"confidence\":-0.2,\"reasoning\":\"r\"}", "confidence -0.2 is outside 0..1")]
    [InlineData("{\"direction\":\"up\",\"impact\":\"high\",\"confidence\":150,\"reasoning\":\"r\"}", "confidence 150 is outside 0..1")]
    [InlineData("{\"direction\":\"up\",\"impact\":\"high\",\"confidence\":\"sure\",\"reasoning\":\"r\"}", "confidence 'sure' is not a number")]
    [InlineData("{\"direction\":\"up\",\"impact\":\"high\",\"confidence\":true,\"reasoning\":\"r\"}", "confidence is missing or not a number")]
    [InlineData("{\"direction\":\"up\",\"impact\":\"high\",\"confidence\":0.5}", "reasoning is missing or not a string")]
    [InlineData("{\"direction\":\"up\",", "reply is not valid JSON")]
    [InlineData("<think>up, surely</think>I cannot say.", "reply is not a JSON object")]
    [InlineData("", "empty reply")]
    public void Parse_InvalidReply_FailsWithReason(string content, string reason)
    {
        var parse = () => AnswerParser.Parse(content, null, null);

        parse.Should().Throw<ModelFailedException>().Which.Message.Should().Contain(reason);
    }

    [Fact]
    public void Parse_ValidReply_KeepsTokens()
    {
        var answer = AnswerParser.Parse(" " + ChatReplies.ValidAnswer + "\n", 100, 20);

        answer.Should().Be(new ModelAnswer("up", "high", 0.8, "record orders", 100, 20));
    }

    [Theory]
    [InlineData("2026-11-19T14:59:59Z", "2026-11-19")]
    [InlineData("2026-11-19T15:00:00Z", "2026-11-20")]
    public void Of_UtcInstant_IsTheKoreanDate(string instant, string day) =>
        Kst.DayOf(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)).Should().Be(day);

    private static PendingArticle Article(double? sentiment) => new("a1", "005930", "t", null, sentiment, Now);
}
