using TaskFlow.Workspaces.Process;

namespace TaskFlow.Workspaces.Tests.Process;

public sealed class SandboxAccountTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("taskflow-account-").FullName;

    [Fact]
    public void Find_UserWhosePrimaryGroupIsTheWorkspaceGroup_ReturnsItsName()
    {
        var (passwd, group) = Files(
            "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
            "root:x:0:\nnogroup:x:65534:\n");

        Assert.Equal("nobody", SandboxAccount.Find(65534, 65534, passwd, group));
    }

    [Fact]
    public void Find_NoAccountForTheUserId_ReturnsNull()
    {
        var (passwd, group) = Files("nobody:x:65534:65534::/:/bin/false\n", "nogroup:x:65534:\n");

        Assert.Null(SandboxAccount.Find(61234, 61234, passwd, group));
    }

    [Fact]
    public void Find_PrimaryGroupDiffers_ReturnsNull()
    {
        var (passwd, group) = Files("sandbox:x:2000:100::/:/bin/false\n", "users:x:100:\n");

        Assert.Null(SandboxAccount.Find(2000, 2000, passwd, group));
    }

    [Fact]
    public void Find_UserListedInAnotherGroup_ReturnsNull()
    {
        var (passwd, group) = Files("sandbox:x:2000:2000::/:/bin/false\n", "sandbox:x:2000:\ndocker:x:999:alice,sandbox\n");

        Assert.Null(SandboxAccount.Find(2000, 2000, passwd, group));
    }

    [Fact]
    public void Find_ListedOnlyInItsOwnGroup_ReturnsName()
    {
        var (passwd, group) = Files("sandbox:x:2000:2000::/:/bin/false\n", "sandbox:x:2000:sandbox\nother:x:3000:sandboxer\n");

        Assert.Equal("sandbox", SandboxAccount.Find(2000, 2000, passwd, group));
    }

    [Fact]
    public void Find_NoPasswdFile_ReturnsNull() =>
        Assert.Null(SandboxAccount.Find(65534, 65534, Path.Combine(_folder, "missing"), Path.Combine(_folder, "missing-too")));

    // The system's own answer, for the account this host has: nobody's only group is nogroup;
    // asking for another group must fail.
    [Fact]
    public void Confirm_AsksTheSystem_NobodyHasOnlyItsOwnGroup()
    {
        Assert.True(Environment.IsPrivilegedProcess, "starting a process as another user needs root; the tests run as root");

        Assert.True(SandboxAccount.Confirm("nobody", 65534));
        Assert.False(SandboxAccount.Confirm("nobody", 0));
        Assert.Equal("nobody", SandboxAccount.FindConfirmed(65534, 65534));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (string Passwd, string Group) Files(string passwd, string group)
    {
        var (p, g) = (Path.Combine(_folder, "passwd"), Path.Combine(_folder, "group"));
        File.WriteAllText(p, passwd);
        File.WriteAllText(g, group);
        return (p, g);
    }
}
