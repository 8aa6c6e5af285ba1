using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing.Tests.Upstreams;

/// <summary>
/// The per-connection record the pool decides by: timestamps are plain numbers here, as a
/// <see cref="TimeProvider"/> hands them out, so each case states exactly when calls start and end.
/// </summary>
public sealed class InFlightCallsTests
{
    [Fact]
    public void Constructor_NoCallYet_IdleSinceOpened()
    {
        var calls = new InFlightCalls(openedAt: 5);

        Assert.Equal((0, 5L), (calls.Count, calls.LastFinished));
    }

    [Fact]
    public void Enter_FirstCallOnIdleConnection_MarksItsStart()
    {
        var calls = new InFlightCalls(openedAt: 0);

        calls.Enter(100);
        calls.Enter(110);

        Assert.Equal((2, 100L), (calls.Count, calls.OldestStart));
    }

    /// <remarks>
    /// Calls queued behind one another finish in the order they started:
    /// <code>
    ///   start 10 ──────────────► end 50
    ///   start 20 ─────────────────────────► end 60
    ///   start 30 ───────────────────────────────────► (still waiting)
    /// </code>
    /// After each end the mark is the start of the call that just finished, one behind the
    /// oldest still waiting.
    /// </remarks>
    [Fact]
    public void Exit_CallsFinishInOrder_MarkFollowsTheQueue()
    {
        var calls = new InFlightCalls(openedAt: 0);
        calls.Enter(10);
        calls.Enter(20);
        calls.Enter(30);

        calls.Exit(started: 10, now: 50);
        var afterFirst = calls.OldestStart;
        calls.Exit(started: 20, now: 60);

        Assert.Equal((10L, 20L, 1), (afterFirst, calls.OldestStart, calls.Count));
    }

    /// <remarks>
    /// A server that runs calls side by side: one slow call, quick ones passing it.
    /// <code>
    ///   start 10 ──────────────────────────────────► (slow, still running)
    ///   start 20 ─► end 22
    ///   start 30 ─► end 31
    /// </code>
    /// The mark moves to the quick calls' starts, so the slow call alone does not make the
    /// connection look as if calls were waiting on it; its own end does not move the mark back.
    /// </remarks>
    [Fact]
    public void Exit_QuickCallsPassASlowOne_MarkMovesForwardAndNotBack()
    {
        var calls = new InFlightCalls(openedAt: 0);
        calls.Enter(10);
        calls.Enter(20);
        calls.Enter(30);

        calls.Exit(started: 20, now: 22);
        calls.Exit(started: 30, now: 31);
        var afterQuick = calls.OldestStart;
        calls.Enter(40);
        calls.Exit(started: 10, now: 45);

        Assert.Equal((30L, 30L), (afterQuick, calls.OldestStart));
    }

    [Fact]
    public void Enter_AfterConnectionWentIdle_ForgetsTheOldMark()
    {
        var calls = new InFlightCalls(openedAt: 0);
        calls.Enter(10);
        calls.Exit(started: 10, now: 500);

        calls.Enter(900);

        Assert.Equal((1, 900L, 500L), (calls.Count, calls.OldestStart, calls.LastFinished));
    }
}
