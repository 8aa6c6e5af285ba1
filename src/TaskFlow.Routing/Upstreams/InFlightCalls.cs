namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// The calls in flight on one connection: how many, how long the oldest has been waiting, and
/// since when the connection has been idle. Timestamps are <see cref="TimeProvider.GetTimestamp"/>
/// values; nothing is allocated or locked per call.
/// </summary>
/// <remarks>
/// The oldest call's start is estimated without a record per call. The connection keeps a mark:
/// the start of the call that ended its last idle spell, moved forward to the start of every call
/// that finishes while it is busy, if that call started later. When calls finish in about the
/// order they started (as calls queued behind one another do), the mark is the start of the
/// oldest call still waiting, or of the one that finished just before it: the estimate errs by
/// the gap between two starts. A call that finishes ahead of older ones (a quick call passing a
/// slow one on a server that runs calls side by side) moves the mark forward, so one long call
/// among quick ones does not read as a queue.
/// </remarks>
/// <param name="openedAt">When the connection opened: it counts as idle since then.</param>
internal sealed class InFlightCalls(long openedAt)
{
    private int _count;
    private long _oldestStart = openedAt;
    private long _lastFinished = openedAt;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The estimated start of the oldest call in flight (see the remarks); meaningful while <see cref="Count"/> is above zero.</summary>
    public long OldestStart => Volatile.Read(ref _oldestStart);

    /// <summary>When the last call finished (or the connection opened); while <see cref="Count"/> is zero, the connection has been idle since.</summary>
    public long LastFinished => Volatile.Read(ref _lastFinished);

    /// <summary>Counts a call that starts at <paramref name="now"/>; pass the same value to <see cref="Exit"/>.</summary>
    public void Enter(long now)
    {
        if (Interlocked.Increment(ref _count) == 1)
        {
            // The connection was idle: whatever the mark held belongs to calls long finished.
            Volatile.Write(ref _oldestStart, now);
        }
    }

    /// <summary>Counts a call that started at <paramref name="started"/> as finished at <paramref name="now"/>.</summary>
    public void Exit(long started, long now)
    {
        // Both are written before the count drops, so whoever sees the count reach zero also sees
        // when it did, and a call entering after that resets the mark after this moved it.
        var mark = Volatile.Read(ref _oldestStart);
        while (started > mark)
        {
            var seen = Interlocked.CompareExchange(ref _oldestStart, started, mark);
            if (seen == mark)
            {
                break;
            }

            mark = seen;
        }

        Volatile.Write(ref _lastFinished, now);
        Interlocked.Decrement(ref _count);
    }
}
