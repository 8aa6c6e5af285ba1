using TaskFlow.Core.Activities;

namespace TaskFlow.Engine.Persistence;

/// <summary>A work item this worker holds a lease on. <see cref="Claims"/> identifies the lease: a re-claim by anyone increments it.</summary>
public sealed record ClaimedWork(
    long Id,
    int Claims,
    string InstanceId,
    string NodeId,
    int Attempt,
    bool Resume,
    string? Payload,
    string DefinitionId,
    int DefinitionVersion,
    int Priority);

/// <summary>The result of executing one claimed item, waiting to be committed.</summary>
public sealed record Completion(ClaimedWork Work, ActivityResult Result, long FinishedAt);
