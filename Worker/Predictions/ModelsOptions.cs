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

    public string Id { get; set; } = "";

    public string Provider { get; set; } = "";

    public bool Enabled { get; set; } = true;

    public string? BaseUrl { get; set; }

    public string? Model { get; set; }

    /// <summary>Name of the environment variable holding the key; the key itself never sits in config files.</summary>
    public string? ApiKeyEnv { get; set; }

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
            problems.Required(nameof(ApiKeyEnv), ApiKeyEnv);
        }

        problems.InRange(nameof(Timeout), Timeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        problems.InRange(nameof(MaxConcurrency), MaxConcurrency, 1, 64);
        problems.InRange(nameof(MaxRetries), MaxRetries, 0, 10);
        problems.InRange(nameof(DailyBudgetUsd), DailyBudgetUsd, 0, 10_000);
        problems.InRange(nameof(InputUsdPerMillionTokens), InputUsdPerMillionTokens, 0, 1_000);
        problems.InRange(nameof(OutputUsdPerMillionTokens), OutputUsdPerMillionTokens, 0, 1_000);
    }
}
