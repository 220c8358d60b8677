using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Predictions.OpenAi;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Predictions;

/// <summary>
/// `doctor`'s "models" line: every enabled openai model has its key variable set (or is keyless) and its endpoint
/// answers GET {BaseUrl}/models; the negotiated settings are shown; a hosted model that neither prices nor a token
/// budget can cap is warned about. Offline models always pass. The key's value is never printed.
/// </summary>
public sealed class ModelsCheck(IOptions<ModelsOptions> models, ChatClients clients, NegotiatedSettings negotiated, TimeProvider time) : IDoctorCheck
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
            details.Add(detail + await NotesAsync(model, cancellationToken));
            if (!ok)
            {
                fixes.Add(fix!);
            }
        }

        var text = details.Count == 0 ? "no models configured" : string.Join("; ", details);
        return fixes.Count == 0 ? DoctorResult.Pass(text) : DoctorResult.Fail(text, string.Join("; ", fixes));
    }

    private async Task<string> NotesAsync(ModelOptions model, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        if (ModelKey.IsKeyless(model))
        {
            notes.Add("keyless (no Authorization header)");
        }

        try
        {
            if (await negotiated.SteppedAsync(model, cancellationToken) is { } stepped)
            {
                notes.Add($"negotiated: {stepped.Describe()}");
            }
        }
        catch (DbException e)
        {
            notes.Add($"negotiated settings unknown: {e.Message}");
        }

        var priced = model.InputUsdPerMillionTokens > 0 || model.OutputUsdPerMillionTokens > 0;
        if (ModelHosting.IsHosted(model.BaseUrl) && !priced && model.DailyTokenBudget is null)
        {
            notes.Add("warning: hosted, with neither prices nor DailyTokenBudget, so no budget caps it");
        }

        return notes.Count == 0 ? "" : $" ({string.Join(", ", notes)})";
    }

    private async Task<(bool Ok, string Detail, string? Fix)> ProbeAsync(ModelOptions model, CancellationToken cancellationToken)
    {
        var key = ModelKey.Read(model);
        if (!ModelKey.IsKeyless(model) && key is null)
        {
            return (false, $"{model.Id} key variable {model.ApiKeyEnv} is not set", $"set {model.ApiKeyEnv} in the service's environment");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        var started = time.GetTimestamp();
        try
        {
            using var response = await clients.For(model).ListModelsAsync(timeout.Token);
            var ms = (long)time.GetElapsedTime(started).TotalMilliseconds;
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? (true, string.Create(CultureInfo.InvariantCulture, $"{model.Id} {model.BaseUrl} answered in {ms} ms"), null)
                : (false, string.Create(CultureInfo.InvariantCulture, $"{model.Id} {model.BaseUrl}/models answered HTTP {status}"),
                    status is 401 or 403 ? $"check the key in {model.ApiKeyEnv}" : $"check Models BaseUrl of {model.Id}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var why = e is OperationCanceledException ? $"no answer within {ProbeTimeout.TotalSeconds:0} s" : e.Message;
            Debug.Assert(key is null || !why.Contains(key, StringComparison.Ordinal), "an error message must never carry the key");
            return (false, $"{model.Id} {model.BaseUrl} unreachable: {why}", $"check Models BaseUrl of {model.Id} and the network");
        }
    }
}
