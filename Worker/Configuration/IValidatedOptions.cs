namespace KrxSignal.Worker.Configuration;

/// <summary>An options class bound from one configuration section and checked at start-up.</summary>
internal interface IValidatedOptions
{
    static abstract string Section { get; }

    void Validate(OptionsProblems problems);
}
