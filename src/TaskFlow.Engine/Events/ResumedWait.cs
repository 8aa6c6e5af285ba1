namespace TaskFlow.Engine.Events;

/// <summary>A waiting node that an event or a resume token resumed.</summary>
public sealed record ResumedWait(string InstanceId, string NodeId);
