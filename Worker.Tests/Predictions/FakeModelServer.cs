using KrxSignal.Worker.Tests.Support;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.Predictions;

/// <summary>
/// An OpenAI-compatible model on loopback, the environment variable its key is read from (named per
/// test, so parallel tests never share it), and a temp folder for the database.
/// </summary>
public sealed class FakeModelServer : IDisposable
{
    public FakeModelServer() => Environment.SetEnvironmentVariable(KeyVariable, "sk-test-secret");

    public TempFolder Folder { get; } = new();

    public WireMockServer Server { get; } = WireMockServer.Start();

    public string KeyVariable { get; } = $"KRX_TEST_KEY_{Guid.NewGuid():N}";

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(KeyVariable, null);
        Server.Stop();
        Server.Dispose();
        Folder.Dispose();
    }
}
