namespace TaskFlow.Server.Auth;

/// <summary>One accepted key, kept as the SHA-256 of its text: who it is (<paramref name="Name"/>, in messages and the audit) and what it may do.</summary>
public sealed record ApiKey(string Name, ApiRole Role, byte[] Hash);
