using System.Security.Cryptography;
using System.Text;

namespace TaskFlow.Server.Auth;

/// <summary>
/// The accepted API keys, kept only as SHA-256 hashes: a heap dump or a debugger shows no usable
/// key. A presented key is hashed and compared with every stored hash in constant time.
/// </summary>
public sealed class ApiKeyRing
{
    private readonly byte[][] _hashes;

    public ApiKeyRing(IEnumerable<string> keys)
    {
        _hashes = keys.Select(k => Hash(k.Trim())).ToArray();
        if (_hashes.Length == 0)
        {
            throw new ArgumentException("At least one API key is required.", nameof(keys));
        }
    }

    public bool Accepts(string presented)
    {
        var hash = Hash(presented);
        var match = false;

        // No early exit: the time taken does not tell which key, or whether any, matched.
        foreach (var candidate in _hashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(hash, candidate);
        }

        return match;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
