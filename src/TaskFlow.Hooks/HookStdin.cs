using System.Text;

namespace TaskFlow.Hooks;

/// <summary>
/// Reads the hook input, bounded in size and time: Claude Code closes stdin after one JSON object,
/// but a caller that never does must not hang the hook (nor the Task call waiting for it).
/// </summary>
internal static class HookStdin
{
    /// <summary>The text, or null and a message saying what went wrong.</summary>
    public static async Task<(string? Text, string? Error)> ReadAsync(Stream input, int maxBytes, TimeSpan timeout)
    {
        // A console stream's reads do not observe cancellation, so the read races a timer instead;
        // on timeout the read is abandoned on its thread and the process exits anyway.
        var read = Task.Run(() => ReadAllAsync(input, maxBytes));
        if (await Task.WhenAny(read, Task.Delay(timeout)).ConfigureAwait(false) != read)
        {
            return (null, $"taskflow hook: stdin did not close within {timeout.TotalSeconds:0.###} s (--stdin-timeout); Claude Code sends one JSON object and closes it.");
        }

        var (bytes, tooLong) = await read.ConfigureAwait(false);
        if (tooLong)
        {
            return (null, $"taskflow hook: the input on stdin is larger than {maxBytes} bytes; a hook input is one JSON object.");
        }

        return (Encoding.UTF8.GetString(bytes), null);
    }

    private static async Task<(byte[] Bytes, bool TooLong)> ReadAllAsync(Stream input, int maxBytes)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await input.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > maxBytes)
            {
                return ([], true);
            }
        }

        return (buffer.ToArray(), false);
    }
}
