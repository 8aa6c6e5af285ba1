namespace TaskFlow.Routing.Bulkheads;

/// <summary>
/// Admits calls to a shared capacity (the router's connections in all, or one server's) by tier:
/// 1 (critical), 2, 3, 4 (support). Each tier's share caps the slots that calls of that tier
/// <em>and every lower tier</em> may hold together: with the default shares
/// <c>[1.0, 1.0, 0.75, 0.5]</c> and capacity 10, tier-4 calls hold at most 5 slots, tiers 3 and 4
/// together at most 7, so however tier-3 and tier-4 calls pile up, 3 slots stay for tiers 1 and 2.
/// Counting lower tiers in is what makes the reserve hold: capped one tier at a time, tiers 3 and
/// 4 (7 + 5) could fill all 10 slots. Every tier may hold at least one slot.
/// </summary>
/// <remarks>
/// A call that finds no slot its tier may take waits in its tier's queue. When a slot frees, it
/// goes to the waiting call of the best tier (lowest number) whose share allows it, FIFO within a
/// tier; a waiter whose share is full stays queued even while a slot is free, because that slot
/// is kept for better tiers. A new call never overtakes an admissible waiter: waiters are admitted
/// as soon as they may be, so whoever still waits is blocked for a reason that blocks a new call
/// of the same or a lower tier too. Thread-safe; admission to a free slot allocates nothing.
/// </remarks>
public sealed class TierGate
{
    private const int Tiers = 4;
    private static readonly double[] DefaultShares = [1.0, 1.0, 0.75, 0.5];

    private readonly Lock _lock = new();

    // _limits[k]: the slots that tiers k+1..4 may hold together.
    private readonly int[] _limits = new int[Tiers];
    private readonly int[] _inUseByTier = new int[Tiers];
    private readonly LinkedList<Waiter>[] _queues = new LinkedList<Waiter>[Tiers];

    // One slot object per unit of capacity, recycled, so a lease allocates nothing and can tell a
    // stale copy of itself (older version) from the lease now holding the slot.
    private readonly Slot[] _free;
    private int _freeCount;
    private int _inUse;
    private int _waiting;

    /// <param name="capacity">Slots in all (at least 1).</param>
    /// <param name="tierShares">
    /// Four shares in (0, 1]: <c>tierShares[t-1]</c> is the share of <paramref name="capacity"/>
    /// that calls of tier t and the tiers below it may hold at once (rounded down, at least one
    /// slot). Null for <c>[1.0, 1.0, 0.75, 0.5]</c>.
    /// </param>
    public TierGate(int capacity, IReadOnlyList<double>? tierShares = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        tierShares ??= DefaultShares;
        if (tierShares.Count != Tiers)
        {
            throw new ArgumentException($"Expected {Tiers} tier shares (tiers 1 to {Tiers}), got {tierShares.Count}.", nameof(tierShares));
        }

        for (var k = 0; k < Tiers; k++)
        {
            var share = tierShares[k];
            if (!(share > 0 && share <= 1))
            {
                throw new ArgumentException($"The share of tier {k + 1} is {share}; each share must be more than 0 and at most 1.", nameof(tierShares));
            }

            // The epsilon keeps 0.29 * 100 (28.999...) at 29.
            _limits[k] = Math.Clamp((int)Math.Floor((share * capacity) + 1e-9), 1, capacity);
            _queues[k] = new LinkedList<Waiter>();
        }

        Capacity = capacity;
        _free = new Slot[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _free[i] = new Slot(this);
        }

        _freeCount = capacity;
    }

    /// <summary>Slots in all.</summary>
    public int Capacity { get; }

    /// <summary>Slots held now.</summary>
    public int InUse => Volatile.Read(ref _inUse);

    /// <summary>Calls queued for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Slots held now by calls of <paramref name="tier"/> (1 to 4).</summary>
    public int InUseByTier(int tier)
    {
        ThrowIfNotTier(tier);
        return Volatile.Read(ref _inUseByTier[tier - 1]);
    }

    /// <summary>
    /// A slot for a call of <paramref name="tier"/>: at once (synchronously, without allocating)
    /// when its tier may take a free slot, otherwise when one frees up for it. Cancelling removes
    /// the waiter and throws <see cref="OperationCanceledException"/>; if the slot was granted
    /// first, the lease is returned instead, so no slot is ever lost. Dispose the lease to free
    /// the slot.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tier"/> is not 1 to 4.</exception>
    public ValueTask<Lease> WaitAsync(int tier, CancellationToken cancellationToken)
    {
        ThrowIfNotTier(tier);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Lease>(cancellationToken);
        }

        Waiter waiter;
        lock (_lock)
        {
            if (CanAdmit(tier))
            {
                return new ValueTask<Lease>(Admit(tier));
            }

            waiter = new Waiter(this);
            _queues[tier - 1].AddLast(waiter.Node);
            _waiting++;
        }

        return cancellationToken.CanBeCanceled ? WaitQueuedAsync(waiter, cancellationToken) : new ValueTask<Lease>(waiter.Task);
    }

    private static async ValueTask<Lease> WaitQueuedAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        // Registered after queueing, outside the lock: if the token is already cancelled the
        // callback runs here and takes the lock itself. Disposing waits for a running callback.
        using (cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter))
        {
            return await waiter.Task.ConfigureAwait(false);
        }
    }

    private static void ThrowIfNotTier(int tier, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(tier))] string? paramName = null)
    {
        if (tier is < 1 or > Tiers)
        {
            throw new ArgumentOutOfRangeException(paramName, tier, $"Tiers are 1 (critical) to {Tiers} (support).");
        }
    }

    // Under the lock. A tier-t call counts towards the limit of tier t and of every better tier,
    // so each of those must have room for it (the tier-1 limit bounds the total).
    private bool CanAdmit(int tier)
    {
        if (_inUse >= Capacity)
        {
            return false;
        }

        var heldFromHere = 0;
        for (var k = Tiers - 1; k >= 0; k--)
        {
            heldFromHere += _inUseByTier[k];
            if (k <= tier - 1 && heldFromHere >= _limits[k])
            {
                return false;
            }
        }

        return true;
    }

    // Under the lock, after CanAdmit.
    private Lease Admit(int tier)
    {
        var slot = _free[--_freeCount];
        _free[_freeCount] = null!;
        slot.Tier = tier;
        _inUse++;
        _inUseByTier[tier - 1]++;
        return new Lease(slot, slot.Version);
    }

    private void Release(Slot slot)
    {
        lock (_lock)
        {
            _inUse--;
            _inUseByTier[slot.Tier - 1]--;
            _free[_freeCount++] = slot;

            // Best tier first; after each grant look again from the top, since the grant changed the counts.
            var tier = 1;
            while (tier <= Tiers)
            {
                var queue = _queues[tier - 1];
                if (queue.First is { } first && CanAdmit(tier))
                {
                    queue.RemoveFirst();
                    _waiting--;

                    // Continuations run asynchronously (see Waiter), so completing under the lock is safe.
                    first.Value.TrySetResult(Admit(tier));
                    tier = 1;
                }
                else
                {
                    tier++;
                }
            }
        }
    }

    /// <summary>
    /// A held slot. <see cref="Dispose"/> frees it exactly once, however many copies of the lease
    /// are disposed, however often; disposing a default lease does nothing.
    /// </summary>
    public readonly struct Lease : IDisposable
    {
        private readonly Slot? _slot;
        private readonly long _version;

        internal Lease(Slot slot, long version)
        {
            _slot = slot;
            _version = version;
        }

        /// <summary>Frees the slot, the first time any copy of this lease is disposed.</summary>
        public void Dispose()
        {
            if (_slot is { } slot && Interlocked.CompareExchange(ref slot.Version, _version + 1, _version) == _version)
            {
                slot.Gate.Release(slot);
            }
        }
    }

    internal sealed class Slot(TierGate gate)
    {
        public readonly TierGate Gate = gate;

        // Bumped by the one Dispose that frees the slot; a lease holds the version it was granted at.
        public long Version;

        public int Tier;
    }

    private sealed class Waiter : TaskCompletionSource<Lease>
    {
        private readonly TierGate _gate;

        public Waiter(TierGate gate)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            _gate = gate;
            Node = new LinkedListNode<Waiter>(this);
        }

        public LinkedListNode<Waiter> Node { get; }

        public void Cancel(CancellationToken cancellationToken)
        {
            lock (_gate._lock)
            {
                // Already granted: the caller gets the lease, which it must dispose.
                if (Node.List is not { } queue)
                {
                    return;
                }

                queue.Remove(Node);
                _gate._waiting--;
            }

            TrySetCanceled(cancellationToken);
        }
    }
}
