namespace CellSegFlows.Server.Tests;

/// <summary>One server per test class (tests in a class use their own workflow ids and runs).</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    internal TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
