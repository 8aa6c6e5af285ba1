using Microsoft.Playwright;

namespace TaskFlow.Designer.Tests.Infrastructure;

/// <summary>One server and one browser for the designer tests; every test opens its own browser context.</summary>
public sealed class DesignerFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public DesignerServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = DesignerServer.Start();
        (_playwright, Browser) = await Infrastructure.Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DesignerCollection : ICollectionFixture<DesignerFixture>
{
    public const string Name = "designer";
}
