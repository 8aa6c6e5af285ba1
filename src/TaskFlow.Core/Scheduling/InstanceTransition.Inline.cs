namespace TaskFlow.Core.Scheduling;

public sealed partial class InstanceTransition
{
    /// <summary>
    /// Work this transition made due now that could run inside it: a node's run (not a resume, not
    /// a foreach iteration, not a retry waiting for its backoff). Which of these are pure is the
    /// engine's to decide (docs/engine.md, "Pure steps run inline").
    /// </summary>
    public IEnumerable<WorkRequest> DueNow() => Work.Where(w => !w.Resume && w.Payload is null && w.VisibleAt <= Now);

    /// <summary>
    /// Takes one of <see cref="DueNow"/> to run in this transition: it is not queued, and the journal
    /// says the node started, as a worker's claim would. Give its result to <see cref="Apply"/> and
    /// <see cref="Run"/> again.
    /// </summary>
    public void TakeInline(WorkRequest work)
    {
        if (!Work.Remove(work))
        {
            throw new InvalidOperationException($"Node '{work.NodeId}' attempt {work.Attempt} is not due in this transition.");
        }

        Journal.Add(new(JournalEventType.NodeStarted, work.NodeId, work.Attempt, Now));
    }
}
