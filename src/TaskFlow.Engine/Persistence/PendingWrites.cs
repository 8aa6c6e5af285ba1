using TaskFlow.Core.Scheduling;

namespace TaskFlow.Engine.Persistence;

/// <summary>Everything one transaction writes, gathered first so each provider can write it in as few round trips as it can.</summary>
public sealed class PendingWrites
{
    public List<InstanceRecord> NewInstances { get; } = [];

    public List<InstanceRecord> ChangedInstances { get; } = [];

    public List<NodeStateRecord> States { get; } = [];

    public List<NewWork> Work { get; } = [];

    public List<JournalRecord> Journal { get; } = [];

    /// <summary>Children started by this transaction (parent id, child id, its own correlation id or null for the parent's).</summary>
    public List<(string ParentId, string ChildId, string? Own)> ChildCorrelations { get; } = [];

    /// <summary>True when work was queued for any worker (due now or later), so workers must be woken.</summary>
    public bool HasVisibleWork { get; set; }

    /// <summary>When positive, the transaction also claims up to this many due items for <see cref="ClaimOwner"/>.</summary>
    public int ClaimUpTo { get; set; }

    public string? ClaimOwner { get; set; }

    public TimeSpan ClaimLease { get; set; }

    /// <summary>Items claimed by this transaction (see <see cref="ClaimUpTo"/>).</summary>
    public List<ClaimedWork> Claimed { get; } = [];

    /// <summary>Work withdrawn by this transaction: a whole instance (node null) or a node and its iterations.</summary>
    public List<(string InstanceId, string? NodeId)> Withdrawn { get; } = [];

    /// <summary>Resume tokens of waits that take earlier events: each looks for a kept event after the commit.</summary>
    public List<string> EarlierWaits { get; } = [];

    /// <summary>True when the provider already put the wake-up notification into the written batch.</summary>
    public bool NotifyQueued { get; set; }

    /// <summary>
    /// When set, the provider writes everything as one guarded batch that also commits: it first
    /// locks the instances and checks their row versions, and deletes the finished items under
    /// their leases, and writes nothing if either check fails (<see cref="GuardFailed"/>).
    /// </summary>
    public CommitGuard? Guard { get; set; }

    /// <summary>Set by the provider when <see cref="Guard"/> found an instance changed or a lease lost; nothing was written.</summary>
    public bool GuardFailed { get; set; }

    public void AddJournal(string instanceId, JournalEntry entry, string? worker) => Journal.Add(new JournalRecord
    {
        InstanceId = instanceId,
        NodeId = entry.NodeId,
        Type = (int)entry.Type,
        Attempt = entry.Attempt,
        At = entry.At.ToUnixTimeMilliseconds(),
        Worker = worker,
        Message = entry.Message,
    });
}

/// <summary>A work item to insert; <see cref="Owner"/> is set when the committing worker keeps it for itself.</summary>
public sealed class NewWork
{
    public required WorkItemRecord Record { get; init; }

    public string? Owner { get; set; }
}
