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
