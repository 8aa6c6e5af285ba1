namespace TaskFlow.Engine.Events;

/// <summary>A node waiting for an event; <see cref="Token"/> resumes it once.</summary>
public sealed record EventWaitView(string Token, string InstanceId, string NodeId, string Name, string? Correlation, DateTimeOffset Since);
