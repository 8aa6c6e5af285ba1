namespace TaskFlow.Core.Model;

/// <summary>When a <c>join</c> node runs, after Elsa's join modes.</summary>
public enum JoinMode
{
    /// <summary>Every inbound branch must arrive. A branch that is skipped skips the join, with the reason journaled.</summary>
    WaitAll,

    /// <summary>Every inbound branch that is still active must arrive; skipped branches are not waited for.</summary>
    WaitAllActive,

    /// <summary>The first branch to arrive runs the join; the other branches still in flight are skipped.</summary>
    WaitAny,
}
