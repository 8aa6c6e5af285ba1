using System.Security.Cryptography;

namespace TaskFlow.Server.HttpTriggers;

/// <summary>
/// Checks a webhook signature as GitHub sends it: <c>sha256=</c> and the lowercase hex of the
/// HMAC-SHA256 of the raw body with the shared secret. Compared in constant time.
/// </summary>
internal static class HttpTriggerSignature
{
    public const string DefaultHeader = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";

    /// <summary>Null when the signature fits; otherwise why not (without any part of the expected value).</summary>
    public static string? Check(string? header, string headerName, byte[] secret, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(header))
        {
            return $"The request has no {headerName} header; sign the body with the shared secret (HMAC-SHA256, sent as 'sha256=HEX').";
        }

        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return $"The {headerName} header does not start with 'sha256='.";
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(Prefix.Length).Trim());
        }
        catch (FormatException)
        {
            return $"The {headerName} header is not 'sha256=' followed by hex digits.";
        }

        var expected = HMACSHA256.HashData(secret, body);
        return CryptographicOperations.FixedTimeEquals(given, expected) ? null : $"The {headerName} signature does not match the body.";
    }
}
