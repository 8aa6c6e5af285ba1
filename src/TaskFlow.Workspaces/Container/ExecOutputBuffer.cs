using System.Text;

namespace TaskFlow.Workspaces.Container;

/// <summary>One output stream of a command: the first bytes up to a cap are kept, every byte is counted.</summary>
internal sealed class ExecOutputBuffer(int maxBytes)
{
    private readonly int _maxBytes = Math.Max(0, maxBytes);

    // A read abandoned on a stream that would not end may still append while the result is made.
    private readonly Lock _lock = new();
    private byte[] _kept = [];
    private int _keptCount;
    private long _totalBytes;

    /// <summary>Bytes written in all, kept or not.</summary>
    public long TotalBytes
    {
        get
        {
            lock (_lock)
            {
                return _totalBytes;
            }
        }
    }

    /// <summary>Adds output kept elsewhere: <paramref name="kept"/>, and <paramref name="dropped"/> more bytes counted but not kept.</summary>
    public void Append(ReadOnlySpan<byte> kept, long dropped)
    {
        lock (_lock)
        {
            AppendLocked(kept);
            _totalBytes += dropped;
        }
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            AppendLocked(data);
        }
    }

    private void AppendLocked(ReadOnlySpan<byte> data)
    {
        _totalBytes += data.Length;
        var room = _maxBytes - _keptCount;
        if (room <= 0 || data.IsEmpty)
        {
            return;
        }

        var take = Math.Min(room, data.Length);
        if (_keptCount + take > _kept.Length)
        {
            // Grow by doubling, never past the cap: a command with little output costs little.
            var size = Math.Min(_maxBytes, Math.Max(Math.Max(_kept.Length * 2, 4096), _keptCount + take));
            Array.Resize(ref _kept, size);
        }

        data[..take].CopyTo(_kept.AsSpan(_keptCount));
        _keptCount += take;
    }

    /// <summary>
    /// The kept bytes as UTF-8 (invalid bytes become U+FFFD). When the output was cut, a
    /// character the cut split is dropped whole rather than turned into a replacement
    /// character, so the text never looks longer than what was kept.
    /// </summary>
    public string Decode()
    {
        lock (_lock)
        {
            var kept = _kept.AsSpan(0, _keptCount);
            if (_totalBytes > _keptCount)
            {
                kept = kept[..CompleteLength(kept)];
            }

            return Encoding.UTF8.GetString(kept);
        }
    }

    /// <summary>The length of <paramref name="bytes"/> without a multi-byte sequence left incomplete at its end.</summary>
    internal static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        // Look back at most three bytes for the lead byte of the last sequence.
        for (var i = bytes.Length - 1; i >= 0 && i >= bytes.Length - 4; i--)
        {
            var b = bytes[i];
            if ((b & 0b1100_0000) == 0b1000_0000)
            {
                continue;
            }

            var needed = b switch
            {
                < 0b1000_0000 => 1,
                >= 0b1111_0000 => 4,
                >= 0b1110_0000 => 3,
                >= 0b1100_0000 => 2,
                _ => 1,
            };
            return bytes.Length - i < needed ? i : bytes.Length;
        }

        return bytes.Length;
    }
}
