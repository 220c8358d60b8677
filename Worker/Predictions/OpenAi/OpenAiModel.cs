using System.Globalization;
using System.Net;
using System.Text.Json;
using KrxSignal.Worker.Predictions.Models;
using Refit;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// Any OpenAI-compatible chat-completions endpoint. The key is read from the environment variable named by
/// Models:N:ApiKeyEnv at each call (so a rotated key needs no restart) and never appears in a message.
/// </summary>
public sealed class OpenAiModel(ChatClients clients, TimeProvider time) : IPredictionModel
{
    public const string SystemPrompt =
        "You judge how one news article moves the price of one Korean listed stock (KRX) over the next trading day. " +
        "Answer with exactly one JSON object and nothing else: " +
        "{\"direction\": \"up\" | \"down\" | \"neutral\", \"impact\": \"high\" | \"medium\" | \"low\", " +
        "\"confidence\": a number from 0 to 1, \"reasoning\": one short sentence}.";

    public string Provider => "openai";

    public static string? ReadKey(ModelOptions model) =>
        string.IsNullOrWhiteSpace(model.ApiKeyEnv) ? null : Environment.GetEnvironmentVariable(model.ApiKeyEnv) is { Length: > 0 } key ? key : null;

    public async Task<ModelAnswer> PredictAsync(ModelOptions model, PendingArticle article, CancellationToken cancellationToken)
    {
        var key = ReadKey(model) ?? throw new ModelFailedException($"environment variable {model.ApiKeyEnv} is not set");
        var request = new ChatCompletionRequest(
            model.Model!,
            [new ChatMessage("system", SystemPrompt), new ChatMessage("user", UserPrompt(article))],
            Temperature: 0,
            new ResponseFormat("json_object"));

        ChatCompletionResponse response;
        try
        {
            response = await clients.For(model.BaseUrl!).CreateAsync(request, $"Bearer {key}", cancellationToken);
        }
        catch (ApiException e)
        {
            // Only the status goes into the reason: the request (with its Authorization header) stays out of it.
            throw Classify(e.StatusCode, e.Headers.RetryAfter, e);
        }
        catch (HttpRequestException e)
        {
            throw new ModelFailedException($"connection failed: {e.HttpRequestError}", transient: true, inner: e);
        }
        catch (JsonException e)
        {
            throw new ModelFailedException("the response is not chat-completions JSON", inner: e);
        }

        var content = response.Choices is [{ Message.Content: var text }, ..] ? text : null;
        return AnswerParser.Parse(content, response.Usage?.PromptTokens, response.Usage?.CompletionTokens);
    }

    private ModelFailedException Classify(HttpStatusCode status, System.Net.Http.Headers.RetryConditionHeaderValue? retryAfter, Exception inner)
    {
        var code = (int)status;
        var reason = string.Create(CultureInfo.InvariantCulture, $"HTTP {code} {status}");
        var transient = status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || code >= 500;
        TimeSpan? wait = retryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow(),
            _ => null,
        };
        return new ModelFailedException(reason, transient, wait is { } w && w > TimeSpan.Zero ? w : null, inner);
    }

    private static string UserPrompt(PendingArticle article) => string.Create(
        CultureInfo.InvariantCulture,
        $"Ticker: {article.Ticker}\nPublished: {article.PublishedAt:yyyy-MM-dd HH:mm} UTC\nTitle: {article.Title}\nSummary: {article.Summary ?? "(none)"}");
}
