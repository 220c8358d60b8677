using System.Globalization;
using KrxSignal.Worker.Configuration;

namespace KrxSignal.Worker.Predictions;

/// <summary>The <c>Models</c> array: a model is configuration, not code.</summary>
public sealed class ModelsOptions : IValidatedOptions
{
    public static string Section => "Models";

    public List<ModelOptions> Items { get; set; } = [];

    /// <summary>Used when the configuration has no Models section: the two offline models, so the default quorum of two is met with no keys.</summary>
    public static List<ModelOptions> BuiltIn() =>
    [
        new() { Id = "lexicon", Provider = "lexicon" },
        new() { Id = "sentiment", Provider = "sentiment" },
    ];

    public void Validate(OptionsProblems problems)
    {
        for (var i = 0; i < Items.Count; i++)
        {
            problems.Nested(i.ToString(CultureInfo.InvariantCulture), Items[i].Validate);
        }

        foreach (var duplicate in Items.GroupBy(m => m.Id, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add("Id", $"'{duplicate.Key}' is used by more than one model");
        }
    }
}

public sealed class ModelOptions
{
    public static readonly IReadOnlySet<string> Providers = new HashSet<string>(StringComparer.Ordinal) { "lexicon", "sentiment", "openai" };

    /// <summary>Built in and offline: no calls, no cost, so no budget to read.</summary>
    public bool IsOffline => Provider is "lexicon" or "sentiment";

    public string Id { get; set; } = "";

    public string Provider { get; set; } = "";

    public bool Enabled { get; set; } = true;

    public string? BaseUrl { get; set; }

    public string? Model { get; set; }

    /// <summary>
    /// Name of the environment variable holding the key; the key itself never sits in config files.
    /// Unset for a keyless local server (Ollama, llama.cpp, LM Studio): then no Authorization header is sent.
    /// </summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>json_schema (structured output), json_object or none; a provider that refuses one is stepped down once, remembered.</summary>
    public string ResponseFormat { get; set; } = OpenAi.ResponseFormats.JsonSchema;

    /// <summary>Sampling temperature; unset sends none, so the provider's default applies (reasoning models accept no other).</summary>
    public double? Temperature { get; set; }

    /// <summary>
    /// OpenRouter only: sends <c>provider.require_parameters: true</c>, so the request is routed only to providers
    /// that honour response_format (and temperature) instead of ones that silently ignore them.
    /// </summary>
    public bool RequireParameters { get; set; }

    /// <summary>Tokens (in + out) per KST day; a cap that works without prices. Unset means no token cap.</summary>
    public long? DailyTokenBudget { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Retries within one run after a timeout, a 429, a 5xx or a connection failure; invalid answers are not retried here.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Spending cap per KST day in USD; at 80 % one warning a day, at 100 % skipped until KST midnight. 0 means no cap.</summary>
    public double DailyBudgetUsd { get; set; } = 1.0;

    public double InputUsdPerMillionTokens { get; set; }

    public double OutputUsdPerMillionTokens { get; set; }

    public void Validate(OptionsProblems problems)
    {
        problems.Required(nameof(Id), Id);
        if (!Providers.Contains(Provider))
        {
            problems.Add(nameof(Provider), "must be one of lexicon, sentiment, openai");
        }

        if (Provider == "openai")
        {
            problems.Required(nameof(BaseUrl), BaseUrl);
            problems.AbsoluteHttpUrl(nameof(BaseUrl), BaseUrl);
            problems.Required(nameof(Model), Model);
        }

        if (!OpenAi.ResponseFormats.All.Contains(ResponseFormat))
        {
            problems.Add(nameof(ResponseFormat), "must be one of json_schema, json_object, none");
        }

        if (Temperature is { } temperature)
        {
            problems.InRange(nameof(Temperature), temperature, 0, 2);
        }

        if (DailyTokenBudget is { } tokens)
        {
            problems.InRange(nameof(DailyTokenBudget), (double)tokens, 1, 1e12);
        }

        problems.InRange(nameof(Timeout), Timeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        problems.InRange(nameof(MaxConcurrency), MaxConcurrency, 1, 64);
        problems.InRange(nameof(MaxRetries), MaxRetries, 0, 10);
        problems.InRange(nameof(DailyBudgetUsd), DailyBudgetUsd, 0, 10_000);
        problems.InRange(nameof(InputUsdPerMillionTokens), InputUsdPerMillionTokens, 0, 1_000);
        problems.InRange(nameof(OutputUsdPerMillionTokens), OutputUsdPerMillionTokens, 0, 1_000);
    }
}
