using System.Data.Common;
using KrxSignal.Worker.Logging;
using Microsoft.Data.Sqlite;

namespace KrxSignal.Worker.Cli;

/// <summary>The one line printed for a failure no command anticipated: what failed and what to check, no stack trace.</summary>
internal static class UnexpectedFailure
{
    public static string Describe(Exception e)
    {
        var root = e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : e;
        var message = LogText.Escape(root.Message.Split('\n')[0].Trim().TrimEnd('.'));
        return root switch
        {
            DbException => $"Fatal: the database cannot be used: {message}. Check Storage:DatabasePath and the folder's permissions.",
            UnauthorizedAccessException or IOException => $"Fatal: a file cannot be used: {message}.",
            _ => $"Fatal: {root.GetType().Name}: {message}.",
        };
    }
}
