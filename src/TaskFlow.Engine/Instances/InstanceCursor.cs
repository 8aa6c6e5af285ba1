using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace TaskFlow.Engine.Instances;

/// <summary>
/// A position in the instance list (newest first): the created time and id of the last instance
/// of a page. The next page starts strictly after it, so a walk sees every instance that existed
/// when it started exactly once, whatever is inserted meanwhile (new instances sort before it).
/// Opaque to callers: base64url of "createdAtMs:id".
/// </summary>
public readonly record struct InstanceCursor(long CreatedAt, string Id)
{
    public override string ToString() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(CreatedAt.ToString(CultureInfo.InvariantCulture) + ":" + Id));

    /// <summary>Reads a cursor returned as <c>next</c>; false for anything else.</summary>
    public static bool TryParse(string text, out InstanceCursor cursor)
    {
        cursor = default;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == decoded.Length - 1
            || !long.TryParse(decoded.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var createdAt))
        {
            return false;
        }

        cursor = new InstanceCursor(createdAt, decoded[(colon + 1)..]);
        return true;
    }
}
