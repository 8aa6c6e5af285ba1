namespace TaskFlow.Workspaces.Tests.Manager;

/// <summary>File paths given for a workspace: what is let through, and what is refused and why.</summary>
public sealed class WorkspacePathGuardTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("taskflow-guard-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("taskflow-guard-outside-").FullName;

    [Theory]
    [InlineData("a.txt", "a.txt")]
    [InlineData("src/main.py", "src/main.py")]
    [InlineData("src/../a.txt", "a.txt")]
    [InlineData("./a.txt", "a.txt")]
    [InlineData("/workspace/a.txt", "a.txt")]
    [InlineData("/workspace/src/b.txt", "src/b.txt")]
    public void Resolve_PathsInside_MapUnderTheRoot(string given, string expected)
    {
        Assert.Equal(Path.Combine(_root, expected), WorkspacePathGuard.Resolve(_root, given));
    }

    [Theory]
    [InlineData("../secret", "it leads outside the workspace")]
    [InlineData("src/../../secret", "it leads outside the workspace")]
    [InlineData("/etc/passwd", "absolute paths are not allowed")]
    [InlineData("/workspace/../etc/passwd", "it leads outside the workspace")]
    [InlineData("", "the path is empty")]
    [InlineData("a\0b", "NUL")]
    public void Resolve_PathsOutside_AreRefusedWithTheReason(string given, string reason)
    {
        var refused = Assert.Throws<WorkspacePathException>(() => WorkspacePathGuard.Resolve(_root, given));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_SymlinkPointingOutside_IsRefused_AtAnyStep()
    {
        File.WriteAllText(Path.Combine(_outside, "secret"), "host data");
        File.CreateSymbolicLink(Path.Combine(_root, "link-to-file"), Path.Combine(_outside, "secret"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "link-to-dir"), _outside);

        var file = Assert.Throws<WorkspacePathException>(() => WorkspacePathGuard.Resolve(_root, "link-to-file"));
        var through = Assert.Throws<WorkspacePathException>(() => WorkspacePathGuard.Resolve(_root, "link-to-dir/secret"));
        var newFile = Assert.Throws<WorkspacePathException>(() => WorkspacePathGuard.Resolve(_root, "link-to-dir/new.txt"));

        Assert.All(new[] { file, through, newFile }, e => Assert.Contains("symbolic link that points outside", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_SymlinkStayingInside_IsFollowed()
    {
        Directory.CreateDirectory(Path.Combine(_root, "real"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "alias"), Path.Combine(_root, "real"));
        File.CreateSymbolicLink(Path.Combine(_root, "relative-link"), "real");

        Assert.Equal(Path.Combine(_root, "real", "x.txt"), WorkspacePathGuard.Resolve(_root, "alias/x.txt"));
        Assert.Equal(Path.Combine(_root, "real", "y.txt"), WorkspacePathGuard.Resolve(_root, "relative-link/y.txt"));
    }

    [Fact]
    public void Resolve_DanglingSymlinkPointingOutside_IsRefused()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "dangling"), Path.Combine(_outside, "does-not-exist"));

        Assert.Throws<WorkspacePathException>(() => WorkspacePathGuard.Resolve(_root, "dangling"));
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }
}
