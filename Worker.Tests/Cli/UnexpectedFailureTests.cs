using KrxSignal.Worker.Cli;
using Microsoft.Data.Sqlite;

namespace KrxSignal.Worker.Tests.Cli;

public sealed class UnexpectedFailureTests
{
    [Fact]
    public void Describe_DatabaseError_IsOneSentenceNamingTheSetting()
    {
        var line = UnexpectedFailure.Describe(new SqliteException("SQLite Error 8: 'attempt to write a readonly database'.", 8));

        line.Should().Be("Fatal: the database cannot be used: SQLite Error 8: 'attempt to write a readonly database'. Check Storage:DatabasePath and the folder's permissions.");
    }

    [Fact]
    public void Describe_AnyOtherException_IsOneLineWithItsTypeAndNoStackTrace()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("first line\n   at Somewhere()\u001b[0m");
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }

        var line = UnexpectedFailure.Describe(new AggregateException(thrown));

        line.Should().Be("Fatal: InvalidOperationException: first line.");
    }
}
