using TaskFlow.Server.Auth;

namespace TaskFlow.Server.Tests.Auth;

public sealed class ApiKeyRingTests
{
    [Fact]
    public void Accepts_ConfiguredKeys_TrueOnlyForThem()
    {
        var ring = new ApiKeyRing(["first-key-0123456789", " second-key-0123456789 "]);

        Assert.True(ring.Accepts("first-key-0123456789"));
        Assert.True(ring.Accepts("second-key-0123456789"));
        Assert.False(ring.Accepts("first-key-012345678"));
        Assert.False(ring.Accepts(""));
    }

    [Fact]
    public void Constructor_NoKeys_Throws() => Assert.Throws<ArgumentException>(() => new ApiKeyRing([]));
}

public sealed class ApiKeyRingFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("taskflow-keys-").FullName;

    private string File => Path.Combine(_folder, "keys.json");

    [Fact]
    public void NamedKeys_FindTheirNameAndRole_ByKeyOrHash()
    {
        var ring = new ApiKeyRing(
            [ApiKeyRing.Parse(new ApiKeyOptions { Name = "ci", Role = "operator", Key = "ci-key-0123456789abcdef" }, "test"),
             ApiKeyRing.Parse(new ApiKeyOptions { Name = "grafana", Role = "Viewer", Sha256 = Convert.ToHexStringLower(ApiKeyRing.Hash("grafana-key-0123456789")) }, "test")],
            null);

        Assert.Equal(("ci", ApiRole.Operator), (ring.Find("ci-key-0123456789abcdef")!.Name, ring.Find("ci-key-0123456789abcdef")!.Role));
        Assert.Equal(ApiRole.Viewer, ring.Find("grafana-key-0123456789")!.Role);
        Assert.Null(ring.Find("grafana-key-012345678"));
    }

    [Theory]
    [InlineData("", "admin", "abcdefabcdefabcdef", null, "needs a name")]
    [InlineData("x", "root", "abcdefabcdefabcdef", null, "role 'root' is not one of admin, operator, viewer, metrics")]
    [InlineData("x", "2", "abcdefabcdefabcdef", null, "role '2' is not one of")]
    [InlineData("x", "admin", "short", null, "give sha256")]
    [InlineData("x", "admin", null, "abc", "sha256 must be 64 hex digits")]
    public void Parse_BadEntry_NamesTheProblem(string name, string role, string? key, string? sha, string expected)
    {
        var problem = Assert.Throws<FormatException>(() => ApiKeyRing.Parse(new ApiKeyOptions { Name = name, Role = role, Key = key, Sha256 = sha }, "TaskFlow:Server:Keys:0"));
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.StartsWith("TaskFlow:Server:Keys:0", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysFile_AddedAndRevokedKeys_ApplyWithoutANewRing_ABrokenFileKeepsTheLastKeys()
    {
        Write(("first", "viewer", "first-key-0123456789"));
        var ring = new ApiKeyRing([], File);
        Assert.Equal("first", ring.Find("first-key-0123456789")?.Name);
        Assert.Null(ring.Find("second-key-0123456789"));

        // Add one, revoke the other: the ring reads the file again once it changed.
        Write(("second", "operator", "second-key-0123456789"));
        await UntilAsync(() => ring.Find("second-key-0123456789") is not null);
        Assert.Null(ring.Find("first-key-0123456789"));
        Assert.Null(ring.FileProblem);

        // A file that does not parse: the keys read last stay, and the ring says why.
        await System.IO.File.WriteAllTextAsync(File, "[ { \"name\": \"third\", \"role\": \"boss\" } ]");
        await UntilAsync(() => ring.FileProblem is not null);
        Assert.Contains("role 'boss' is not one of", ring.FileProblem, StringComparison.Ordinal);
        Assert.Equal("second", ring.Find("second-key-0123456789")?.Name);

        // Removed: no keys from it, and no problem.
        System.IO.File.Delete(File);
        await UntilAsync(() => ring.Find("second-key-0123456789") is null);
        Assert.Null(ring.FileProblem);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void Write(params (string Name, string Role, string Key)[] keys) =>
        ApiKeyRing.WriteFile(File, [.. keys.Select(k => new ApiKeyOptions { Name = k.Name, Role = k.Role, Sha256 = Convert.ToHexStringLower(ApiKeyRing.Hash(k.Key)) })]);

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(100, guard.Token);
        }
    }
}
