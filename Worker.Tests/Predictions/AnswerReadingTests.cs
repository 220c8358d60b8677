using System.Net;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Predictions.Models;
using KrxSignal.Worker.Predictions.OpenAi;

namespace KrxSignal.Worker.Tests.Predictions;

public sealed class AnswerReadingTests
{
    private const string Clean = """{"direction":"up","impact":"high","confidence":0.8,"reasoning":"record orders"}""";

    [Theory]
    [InlineData("Sure! Here it is: " + Clean + " Hope that helps.", "text around the object removed")]
    [InlineData("```\n" + Clean + "\n```", "code fence removed")]
    [InlineData("<think>maybe {\"direction\":\"down\"}</think>```json\n" + Clean + "\n```", "think block removed; code fence removed")]
    [InlineData("""{"direction":"상승","impact":"높음","confidence":0.8,"reasoning":"r"}""", "direction 상승→up; impact 높음→high")]
    [InlineData("""{"direction":"Bearish","impact":"minor","confidence":"0.3","reasoning":"r"}""", "direction Bearish→down; impact minor→low; confidence \"0.3\"→0.3")]
    [InlineData("""{"direction":"보합","impact":"Weak","confidence":"45 %","reasoning":"a } in \"quotes\" {"}""", "direction 보합→neutral; impact Weak→low; confidence \"45 %\"→0.45")]
    public void Parse_RepairableReply_ValidAnswerWithWhatChanged(string content, string normalised)
    {
        var answer = AnswerParser.Parse(content, 1, 1);

        answer.Normalised.Should().Be(normalised);
        ModelAnswer.Directions.Should().Contain(answer.Direction);
        answer.Confidence.Should().BeInRange(0, 1);
    }

    [Fact]
    public void Parse_CleanReply_NothingRecorded() =>
        AnswerParser.Parse(Clean, null, null).Normalised.Should().BeNull();

    [Theory]
    [InlineData("""{"error":{"message":"Unsupported value: 'temperature' does not support 0 with this model.","type":"invalid_request_error","param":"temperature","code":"unsupported_value"}}""", "json_schema", true)]
    [InlineData("""{"error":"'response_format.type' must be 'json_schema' or 'text'"}""", "json_object", false)]
    public void StepFor_ProviderRefusal_StepsTheNamedParameterOnly(string body, string format, bool dropped)
    {
        var model = new ModelOptions { Id = "m", Temperature = 0 };
        var sent = ModelSettings.Configured(model);

        var next = Negotiation.StepFor(HttpStatusCode.BadRequest, body, model, sent);

        next.Should().NotBeNull();
        next!.ResponseFormat.Should().Be(format);
        next.TemperatureDropped.Should().Be(dropped);
        next.Reason.Should().Contain(dropped ? "unsupported_value" : "must be 'json_schema' or 'text'");
    }

    [Fact]
    public void StepFor_NothingLeftToGiveUpOrNotARefusal_Null()
    {
        var model = new ModelOptions { Id = "m", ResponseFormat = "none" };
        var sent = ModelSettings.Configured(model);

        Negotiation.StepFor(HttpStatusCode.BadRequest, "'response_format' is invalid", model, sent).Should().BeNull("none is the last step");
        Negotiation.StepFor(HttpStatusCode.BadRequest, "temperature unsupported", model, sent).Should().BeNull("no temperature was sent");
        Negotiation.StepFor(HttpStatusCode.Unauthorized, "response_format", model, sent).Should().BeNull("only a 400 or 422 refuses a parameter");
    }

    [Fact]
    public void UserPrompt_LongTitleAndSummary_CappedTogetherWithoutSplittingASurrogatePair()
    {
        var article = new PendingArticle("a1", "005930", new string('x', 299) + "😀" + new string('y', 5000), "summary " + new string('z', 5000), null, DateTimeOffset.UnixEpoch);

        var prompt = ChatRequests.UserPrompt(article, 300);

        using var json = System.Text.Json.JsonDocument.Parse(prompt);
        json.RootElement.GetProperty("title").GetString().Should().Be(new string('x', 299) + "…");
        json.RootElement.GetProperty("summary").GetString()!.Length.Should().BeLessThanOrEqualTo(2);
    }

    [Fact]
    public void HasBudget_OfflineOrUncappedModels_NoLedgerRead()
    {
        UsageLedger.HasBudget(new ModelOptions { Provider = "lexicon" }).Should().BeFalse("an offline model costs nothing");
        UsageLedger.HasBudget(new ModelOptions { Provider = "openai", DailyBudgetUsd = 0 }).Should().BeFalse();
        UsageLedger.HasBudget(new ModelOptions { Provider = "openai", DailyBudgetUsd = 0, DailyTokenBudget = 1000 }).Should().BeTrue();
        UsageLedger.HasBudget(new ModelOptions { Provider = "openai", DailyBudgetUsd = 1 }).Should().BeTrue();
    }
}
