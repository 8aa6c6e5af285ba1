using TaskFlow.Routing.Tests.Router;

namespace TaskFlow.Routing.Tests.Failures;

/// <summary>
/// A failure test's routers and the check every one of them ends with: after the routers are
/// disposed, no server process they started is left running.
/// </summary>
public abstract class RouterFailureTest : IAsyncLifetime
{
    private protected RouterFixture Fixture { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Fixture.DisposeAsync();
        Assert.True(await Fixture.AllStoppedAsync(TimeSpan.FromSeconds(10)), "a server process outlived the router");
    }
}
