using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Storage;

public sealed class StorageOptionsTests
{
    [Fact]
    public void Validate_PostgresWithoutConnectionString_NamesTheKey()
    {
        var problems = Validate(new StorageOptions { Provider = StorageProvider.Postgres });

        problems.Should().Equal("Storage:ConnectionString is required");
    }

    [Fact]
    public void Validate_MalformedConnectionStringWithPassword_SaysWhatIsWrongWithoutQuotingIt()
    {
        var problems = Validate(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = "Host=db;Password=pw-SECRET;Bogus Key=1" });

        problems.Should().ContainSingle().Which.Should().StartWith("Storage:ConnectionString is not a valid PostgreSQL connection string").And.NotContain("pw-SECRET");
    }

    [Fact]
    public void Validate_SqliteIgnoresAnUnusedConnectionString()
    {
        Validate(new StorageOptions { ConnectionString = "not one at all;;=" }).Should().BeEmpty();
    }

    [Fact]
    public void Location_PostgresDatabase_NamesHostPortAndDatabaseNeverThePassword()
    {
        var database = new PostgresDatabase("Host=db1.lan;Port=5433;Database=krx;Username=krx;Password=pw-SECRET");

        database.Location.Should().Be("postgres://db1.lan:5433/krx");
    }

    private static IReadOnlyList<string> Validate(StorageOptions options)
    {
        var problems = new OptionsProblems(StorageOptions.Section);
        options.Validate(problems);
        return problems.All;
    }
}
