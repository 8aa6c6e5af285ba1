namespace TaskFlow.Server.Auth;

/// <summary>
/// A named key with a role, in <c>TaskFlow:Server:Keys</c> or in the keys file
/// (<c>TaskFlow:Server:KeysFile</c>). Give the key's SHA-256 (hex), as <c>taskflow keys add</c>
/// writes it, or, in configuration only, the key itself.
/// </summary>
public sealed class ApiKeyOptions
{
    public string Name { get; set; } = "";

    /// <summary><c>admin</c>, <c>operator</c>, <c>viewer</c> or <c>metrics</c>.</summary>
    public string Role { get; set; } = "";

    /// <summary>The key itself (at least 16 characters); kept only as its hash once read.</summary>
    public string? Key { get; set; }

    /// <summary>The SHA-256 of the key, 64 hex digits.</summary>
    public string? Sha256 { get; set; }
}
