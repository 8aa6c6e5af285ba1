namespace TaskFlow.Engine.Http;

/// <summary>Thrown by the connection guard: the address is not allowed, so trying again cannot help.</summary>
public sealed class AddressRefusedException(string message) : IOException(message);
