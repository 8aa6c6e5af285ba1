using System.Text;

namespace TaskFlow.Workspaces.Process;

/// <summary>
/// Drains one output stream to its end, keeping the first <c>limit</c> bytes and counting all of
/// them. It always reads to the end, so a command writing more than is kept never blocks on a
/// full pipe.
/// </summary>
internal sealed class CappedOutput(int limit)
{
    private readonly MemoryStream _kept = new();

    public long TotalBytes { get; private set; }

    public async Task ReadToEndAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            TotalBytes += read;
            var room = (int)Math.Min(read, limit - _kept.Length);
            if (room > 0)
            {
                _kept.Write(buffer, 0, room);
            }
        }
    }

    /// <summary>The kept bytes as UTF-8, without a character the cap cut in half.</summary>
    public string Text()
    {
        var bytes = _kept.GetBuffer().AsSpan(0, (int)_kept.Length);
        if (TotalBytes > bytes.Length)
        {
            bytes = bytes[..WholeCharacters(bytes)];
        }

        return Encoding.UTF8.GetString(bytes);
    }

    // The length of the longest prefix that does not end inside a multi-byte UTF-8 sequence.
    private static int WholeCharacters(ReadOnlySpan<byte> bytes)
    {
        var start = bytes.Length;
        while (start > 0 && start > bytes.Length - 4 && (bytes[start - 1] & 0xC0) == 0x80)
        {
            start--;
        }

        if (start == 0)
        {
            return bytes.Length;
        }

        var lead = bytes[start - 1];
        var needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return bytes.Length - (start - 1) < needed ? start - 1 : bytes.Length;
    }
}
