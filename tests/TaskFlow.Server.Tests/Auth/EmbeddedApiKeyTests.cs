using System.Net;
using TaskFlow.Server.Auth;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Auth;

public sealed class EmbeddedApiKeyTests
{
    [Fact]
    public void LoadOrCreate_TwiceInOneFolder_CreatesOnceWithOwnerOnlyMode()
    {
        var folder = Path.Combine(Path.GetTempPath(), "taskflow-key-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var (key, created) = EmbeddedApiKey.LoadOrCreate(folder);
            var (again, createdAgain) = EmbeddedApiKey.LoadOrCreate(folder);

            Assert.True(created);
            Assert.False(createdAgain);
            Assert.Equal(key, again);
            Assert.Equal(64, key.Length);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "api-key")));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Server_NoConfiguredKey_GeneratesKeyFileThatAuthenticates(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, configureKey: false);
        var key = (await File.ReadAllTextAsync(Path.Combine(app.DataDirectory, "api-key"))).Trim();
        using var client = app.CreateAnonymousClient();

        using var without = await client.GetAsync("/api/activities");
        using var configuredKey = new HttpRequestMessage(HttpMethod.Get, "/api/activities") { Headers = { { "X-Api-Key", TaskFlowApp.Key } } };
        using var rejected = await client.SendAsync(configuredKey);
        using var withKey = new HttpRequestMessage(HttpMethod.Get, "/api/activities") { Headers = { { "X-Api-Key", key } } };
        using var accepted = await client.SendAsync(withKey);

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }
}
