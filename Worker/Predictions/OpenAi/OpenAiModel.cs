using System.Globalization;
using System.Net;
using System.Text.Json;
using KrxSignal.Worker.Http;
using KrxSignal.Worker.Predictions.Models;
using Microsoft.Extensions.Options;
using Refit;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// Any OpenAI-compatible chat-completions endpoint. Asked with the model's negotiated settings; a 400 refusing a
/// parameter steps the model down (<see cref="Negotiation"/>) and the same call is sent again at once, so the
/// pair still ends with an answer and later calls never send the refused parameter again.
/// </summary>
public sealed class OpenAiModel(ChatClients clients, NegotiatedSettings negotiated, IOptions<PredictionsOptions> options, TimeProvider time) : IPredictionModel
{
    // json_schema → json_object → none, and temperature: at most three steps can apply to one call.
    private const int MaxSteps = 3;

    public string Provider => "openai";

    public async Task<ModelAnswer> PredictAsync(ModelOptions model, PendingArticle article, CancellationToken cancellationToken)
    {
        if (!ModelKey.IsKeyless(model) && ModelKey.Read(model) is null)
        {
            throw new ModelFailedException($"environment variable {model.ApiKeyEnv} is not set");
        }

        var api = clients.For(model);
        var settings = await negotiated.GetAsync(model, cancellationToken);
        for (var step = 0; ; step++)
        {
            var request = ChatRequests.Build(model, settings, article, options.Value.MaxPromptChars);
            try
            {
                var response = await api.CreateAsync(request, cancellationToken);
                var message = response.Choices is [{ Message: { } m }, ..] ? m : null;
                return AnswerParser.Parse(
                    message?.Content, response.Usage?.PromptTokens, response.Usage?.CompletionTokens, message?.ReasoningContent ?? message?.Reasoning);
            }
            catch (Exception e) when (TooLarge(e) is { } tooLarge)
            {
                throw new ModelFailedException(tooLarge.Message, inner: e);
            }
            catch (ApiException e) when (step < MaxSteps && Negotiation.StepFor(e.StatusCode, e.Content, model, settings) is { } next)
            {
                settings = await negotiated.StepAsync(model, settings, next, cancellationToken);
            }
            catch (ApiException e)
            {
                // Only the status (and a redirect's Location) goes into the reason: the request and its Authorization header stay out.
                throw Classify(e);
            }
            catch (HttpRequestException e)
            {
                throw new ModelFailedException($"connection failed: {e.HttpRequestError}", transient: true, inner: e);
            }
            catch (JsonException e)
            {
                throw new ModelFailedException("the response is not chat-completions JSON", inner: e);
            }
        }
    }

    private static ResponseTooLargeException? TooLarge(Exception e)
    {
        for (var current = (Exception?)e; current is not null; current = current.InnerException)
        {
            if (current is ResponseTooLargeException tooLarge)
            {
                return tooLarge;
            }
        }

        return null;
    }

    private ModelFailedException Classify(ApiException e)
    {
        var status = e.StatusCode;
        var code = (int)status;
        if (code is >= 200 and < 300)
        {
            return new ModelFailedException("the response is not chat-completions JSON", inner: e);
        }

        var reason = string.Create(CultureInfo.InvariantCulture, $"HTTP {code} {status}");
        if (code is >= 300 and < 400)
        {
            reason += $" to {e.Headers.Location?.ToString() ?? "(no Location)"}: redirects are not followed";
        }

        var transient = status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || code >= 500;

        // Clamped to Predictions:MaxRetryAfter: a "Retry-After: 3600" must not park a model's slot for an hour.
        var wait = RetryAfter.Read(e.Headers.RetryAfter, time.GetUtcNow(), options.Value.MaxRetryAfter);
        return new ModelFailedException(reason, transient, wait is { } w && w > TimeSpan.Zero ? w : null, e);
    }
}
