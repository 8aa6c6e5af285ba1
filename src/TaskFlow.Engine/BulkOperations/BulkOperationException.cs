namespace TaskFlow.Engine.BulkOperations;

/// <summary>A bulk operation was refused before it started; nothing was changed. The message says why and what to do.</summary>
public sealed class BulkOperationException(string message) : Exception(message);
