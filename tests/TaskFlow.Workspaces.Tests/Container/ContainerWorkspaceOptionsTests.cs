using TaskFlow.Workspaces.Container;

namespace TaskFlow.Workspaces.Tests.Container;

public sealed class ContainerWorkspaceOptionsTests
{
    [Fact]
    public void Problems_Defaults_None()
    {
        Assert.Empty(new ContainerWorkspaceOptions { DockerHost = "unix:///var/run/docker.sock" }.Problems());
    }

    [Fact]
    public void Problems_EveryBadSetting_ListedTogether()
    {
        var options = new ContainerWorkspaceOptions { DockerHost = "docker.sock", Image = " ", User = "nobody", Runtime = "" };

        var problems = options.Problems().ToList();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("DockerHost", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("numeric uid:gid", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0:0")]
    [InlineData("0")]
    public void Problems_RootUser_Refused(string user)
    {
        var problem = Assert.Single(new ContainerWorkspaceOptions { DockerHost = "tcp://127.0.0.1:2375", User = user }.Problems());

        Assert.Contains("root", problem);
    }

    [Theory]
    [InlineData("1000", 1000u, 1000u)]
    [InlineData("1000:50", 1000u, 50u)]
    public void TryParseUser_Numeric_Parsed(string user, uint uid, uint gid)
    {
        Assert.True(ContainerWorkspaceOptions.TryParseUser(user, out var parsedUid, out var parsedGid));
        Assert.Equal((uid, gid), (parsedUid, parsedGid));
    }

    [Fact]
    public void EffectiveDockerHost_Set_WinsOverEnvironment()
    {
        Assert.Equal("tcp://10.0.0.1:2375", new ContainerWorkspaceOptions { DockerHost = "tcp://10.0.0.1:2375" }.EffectiveDockerHost);
    }
}
