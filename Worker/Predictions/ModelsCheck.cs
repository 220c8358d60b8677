using System.Diagnostics;
using System.Globalization;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Predictions.OpenAi;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Predictions;

/// <summary>
/// `doctor`'s "models" line: every enabled openai model has its key variable set and its endpoint answers
/// GET {BaseUrl}/models with the key; offline models always pass. The key's value is never printed.
/// The model list is configuration, so one check covers them all and names each in its detail.
/// </summary>
public sealed class ModelsCheck(IOptions<ModelsOptions> models, ChatClients clients, TimeProvider time) : IDoctorCheck
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public string Name => "models";

    public async Task<DoctorResult> RunAsync(CancellationToken cancellationToken)
    {
        var details = new List<string>();
        var fixes = new List<string>();
        foreach (var model in models.Value.Items)
        {
            if (!model.Enabled)
            {
                details.Add($"{model.Id} disabled");
                continue;
            }

            if (model.Provider != "openai")
            {
                details.Add($"{model.Id} offline");
                continue;
            }

            var (ok, detail, fix) = await ProbeAsync(model, cancellationToken);
            details.Add(detail);
            if (!ok)
            {
                fixes.Add(fix!);
            }
        }

        var text = details.Count == 0 ? "no models configured" : string.Join("; ", details);
        return fixes.Count == 0 ? DoctorResult.Pass(text) : DoctorResult.Fail(text, string.Join("; ", fixes));
    }

    private async Task<(bool Ok, string Detail, string? Fix)> ProbeAsync(ModelOptions model, CancellationToken cancellationToken)
    {
        var key = OpenAiModel.ReadKey(model);
        if (key is null)
        {
            return (false, $"{model.Id} key variable {model.ApiKeyEnv} is not set", $"set {model.ApiKeyEnv} in the service's environment");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        var started = time.GetTimestamp();
        try
        {
            using var response = await clients.For(model.BaseUrl!).ListModelsAsync($"Bearer {key}", timeout.Token);
            var ms = (long)time.GetElapsedTime(started).TotalMilliseconds;
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? (true, string.Create(CultureInfo.InvariantCulture, $"{model.Id} {model.BaseUrl} answered in {ms} ms"), null)
                : (false, string.Create(CultureInfo.InvariantCulture, $"{model.Id} {model.BaseUrl}/models answered HTTP {status}"),
                    status is 401 or 403 ? $"check the key in {model.ApiKeyEnv}" : $"check Models BaseUrl of {model.Id}");
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var why = e is OperationCanceledException ? $"no answer within {ProbeTimeout.TotalSeconds:0} s" : e.Message;
            Debug.Assert(!why.Contains(key, StringComparison.Ordinal), "an error message must never carry the key");
            return (false, $"{model.Id} {model.BaseUrl} unreachable: {why}", $"check Models BaseUrl of {model.Id} and the network");
        }
    }
}
