using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer(KrxSignal.Worker.Tests.Support.MinuteLongFirstOrderer.TypeName, "Worker.Tests")]

namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// Starts the collections that must spend over a minute of real time (a lock held across the daemon's minute job)
/// first, so the rest of the suite runs beside them instead of after them. Their names start with <see cref="Prefix"/>.
/// </summary>
public sealed class MinuteLongFirstOrderer : ITestCollectionOrderer
{
    public const string TypeName = "KrxSignal.Worker.Tests.Support.MinuteLongFirstOrderer";
    public const string Prefix = "Minute-long: ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderByDescending(c => c.DisplayName.StartsWith(Prefix, StringComparison.Ordinal))
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}
