using System.Net;
using System.Net.Sockets;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace KrxSignal.Worker.Tests.Storage;

public sealed class DatabaseInitializerTests
{
    [Fact]
    public async Task InitializeAsync_PostgresServerNotListening_OneMessageNamingTheServerAndTheFixButNotThePassword()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var database = new PostgresDatabase($"Host=127.0.0.1;Port={port};Database=krx;Username=worker;Password=pw-must-not-show;Timeout=5");
        var initializer = new DatabaseInitializer(new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance), database);

        var failure = await initializer.Invoking(i => i.InitializeAsync(CancellationToken.None)).Should().ThrowAsync<DatabaseStartupException>();

        failure.Which.Message.Should().StartWith($"The database postgres://127.0.0.1:{port}/krx cannot be used: ")
            .And.Contain("Storage:ConnectionString").And.NotContain("pw-must-not-show");
    }
}
