using System.Text;
using TaskFlow.Workspaces.Container;

namespace TaskFlow.Workspaces.Tests.Container;

public sealed class ExecOutputBufferTests
{
    [Fact]
    public void Append_BeyondCap_KeepsCapCountsAll()
    {
        var buffer = new ExecOutputBuffer(5);

        buffer.Append("abc"u8);
        buffer.Append("defgh"u8);

        Assert.Equal("abcde", buffer.Decode());
        Assert.Equal(8, buffer.TotalBytes);
    }

    [Fact]
    public void Append_ZeroCap_KeepsNothingCountsAll()
    {
        var buffer = new ExecOutputBuffer(0);

        buffer.Append("abc"u8);

        Assert.Equal("", buffer.Decode());
        Assert.Equal(3, buffer.TotalBytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Decode_CutInsideCharacter_DropsItWhole(int cap)
    {
        // "a" then a four-byte character: every cap inside it keeps just "a".
        var bytes = Encoding.UTF8.GetBytes("a😀b");
        var buffer = new ExecOutputBuffer(cap);

        buffer.Append(bytes);

        var text = buffer.Decode();
        Assert.Equal(cap < 5 ? "a" : "a😀", text);
        Assert.DoesNotContain('\uFFFD', text);
        Assert.True(buffer.TotalBytes > Encoding.UTF8.GetByteCount(text), "a cut output must read as truncated");
    }

    [Fact]
    public void Decode_NotTruncated_InvalidBytesBecomeReplacementCharacters()
    {
        var buffer = new ExecOutputBuffer(100);

        buffer.Append([(byte)'a', 0xFF, (byte)'b']);

        Assert.Equal("a\uFFFDb", buffer.Decode());
    }
}
