using TaskFlow.Routing.Bulkheads;
using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Strategies;

namespace TaskFlow.Routing.Tests.Bulkheads;

public sealed class TierGateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(0, null)]
    [InlineData(10, new[] { 1.0, 1.0, 0.75 })]
    [InlineData(10, new[] { 1.0, 1.0, 0.75, 0.5, 0.25 })]
    [InlineData(10, new[] { 1.0, 1.0, 0.75, 0.0 })]
    [InlineData(10, new[] { 1.0, 1.5, 0.75, 0.5 })]
    [InlineData(10, new[] { 1.0, double.NaN, 0.75, 0.5 })]
    public void Constructor_InvalidCapacityOrShares_Throws(int capacity, double[]? shares) =>
        Assert.ThrowsAny<ArgumentException>(() => new TierGate(capacity, shares));

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void WaitAsync_TierOutsideOneToFour_Throws(int tier)
    {
        var gate = new TierGate(2);

        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = gate.WaitAsync(tier, CancellationToken.None); });
        Assert.Throws<ArgumentOutOfRangeException>(() => gate.InUseByTier(tier));
        Assert.Equal(0, gate.InUse);
    }

    [Fact]
    public void WaitAsync_FreeSlot_CompletesAtOnce()
    {
        var gate = new TierGate(2);

        var lease = Acquired(gate, 3);

        Assert.Equal((2, 1, 1, 0), (gate.Capacity, gate.InUse, gate.InUseByTier(3), gate.Waiting));
        lease.Dispose();
        Assert.Equal((0, 0), (gate.InUse, gate.InUseByTier(3)));
    }

    [Fact]
    public async Task WaitAsync_SlotFrees_BestTierWaiterGetsIt()
    {
        var gate = new TierGate(2);
        var held = new[] { Acquired(gate, 2), Acquired(gate, 2) };

        // Tier 4 queued first, tier 1 after it: the freed slot still goes to tier 1.
        var tier4 = gate.WaitAsync(4, CancellationToken.None).AsTask();
        var tier1 = gate.WaitAsync(1, CancellationToken.None).AsTask();
        Assert.Equal(2, gate.Waiting);

        held[0].Dispose();
        using (await tier1.WaitAsync(Patience))
        {
            Assert.False(tier4.IsCompleted);
            Assert.Equal((2, 1, 1), (gate.InUse, gate.InUseByTier(1), gate.Waiting));

            held[1].Dispose();
            using (await tier4.WaitAsync(Patience))
            {
                Assert.Equal((2, 1, 0), (gate.InUse, gate.InUseByTier(4), gate.Waiting));
            }
        }

        Assert.Equal(0, gate.InUse);
    }

    [Fact]
    public async Task WaitAsync_SameTier_FirstInFirstOut()
    {
        var gate = new TierGate(1);
        var held = Acquired(gate, 1);
        var first = gate.WaitAsync(2, CancellationToken.None).AsTask();
        var second = gate.WaitAsync(2, CancellationToken.None).AsTask();

        held.Dispose();
        var lease = await first.WaitAsync(Patience);
        Assert.False(second.IsCompleted);

        lease.Dispose();
        (await second.WaitAsync(Patience)).Dispose();
        Assert.Equal((0, 0), (gate.InUse, gate.Waiting));
    }

    [Fact]
    public void WaitAsync_TierShareFull_WaitsWhileBetterTiersStillGetSlots()
    {
        // Capacity 4, tier-4 share 0.5: two tier-4 leases at most.
        var gate = new TierGate(4, [1.0, 1.0, 0.75, 0.5]);
        Acquired(gate, 4);
        Acquired(gate, 4);

        var third = gate.WaitAsync(4, CancellationToken.None);
        Assert.False(third.IsCompleted);

        var critical = gate.WaitAsync(1, CancellationToken.None);
        Assert.True(critical.IsCompletedSuccessfully);
        Assert.Equal((3, 2, 1, 1), (gate.InUse, gate.InUseByTier(4), gate.InUseByTier(1), gate.Waiting));
    }

    [Fact]
    public void WaitAsync_LowerTiersTogether_CannotTakeTheReserve()
    {
        // Capacity 4, default shares: tier 4 holds at most 2, tiers 3 and 4 together at most 3,
        // so however tiers 3 and 4 pile up, one slot stays for tiers 1 and 2.
        var gate = new TierGate(4);
        Acquired(gate, 4);
        Acquired(gate, 4);
        Acquired(gate, 3);

        Assert.False(gate.WaitAsync(3, CancellationToken.None).IsCompleted);
        Assert.False(gate.WaitAsync(4, CancellationToken.None).IsCompleted);
        Assert.True(gate.WaitAsync(2, CancellationToken.None).IsCompletedSuccessfully);
        Assert.Equal((4, 2), (gate.InUse, gate.Waiting));
    }

    [Fact]
    public void Release_WaiterBlockedByItsShare_StaysQueuedAndTheSlotStaysFree()
    {
        var gate = new TierGate(4);
        Acquired(gate, 4);
        Acquired(gate, 4);
        var critical = Acquired(gate, 1);
        Acquired(gate, 1);
        var tier4 = gate.WaitAsync(4, CancellationToken.None);

        critical.Dispose();

        // The free slot is kept for better tiers: tier 4 is already at its share.
        Assert.False(tier4.IsCompleted);
        Assert.Equal((3, 1), (gate.InUse, gate.Waiting));
        Assert.True(gate.WaitAsync(2, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void Constructor_TinyShare_StillGivesTheTierOneSlot()
    {
        var gate = new TierGate(10, [1.0, 1.0, 0.75, 0.01]);

        Assert.True(gate.WaitAsync(4, CancellationToken.None).IsCompletedSuccessfully);
        Assert.False(gate.WaitAsync(4, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task WaitAsync_Cancelled_RemovesTheWaiterWithoutLosingASlot()
    {
        var gate = new TierGate(1);
        var held = Acquired(gate, 1);
        using var cts = new CancellationTokenSource();
        var cancelled = gate.WaitAsync(1, cts.Token).AsTask();
        var next = gate.WaitAsync(2, CancellationToken.None).AsTask();
        Assert.Equal(2, gate.Waiting);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Patience));
        Assert.Equal((1, 1), (gate.InUse, gate.Waiting));

        // The slot goes to the next waiter, then back to the gate.
        held.Dispose();
        (await next.WaitAsync(Patience)).Dispose();
        Assert.Equal((0, 0), (gate.InUse, gate.Waiting));
        Assert.True(gate.WaitAsync(1, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaitAsync_AlreadyCancelled_ThrowsEvenWithAFreeSlot()
    {
        var gate = new TierGate(1);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.WaitAsync(1, new CancellationToken(canceled: true)).AsTask());
        Assert.Equal((0, 0), (gate.InUse, gate.Waiting));
    }

    [Fact]
    public void Lease_DisposedTwiceOrFromACopy_ReleasesOnce()
    {
        var gate = new TierGate(2);
        var lease = Acquired(gate, 1);
        var copy = lease;
        Acquired(gate, 1);

        lease.Dispose();
        lease.Dispose();
        copy.Dispose();
        Assert.Equal(1, gate.InUse);

        // The freed slot is reused; a stale copy of the old lease must not free the new holder's slot.
        var reused = Acquired(gate, 1);
        copy.Dispose();
        Assert.Equal(2, gate.InUse);
        reused.Dispose();
        Assert.Equal(1, gate.InUse);

        default(TierGate.Lease).Dispose();
        Assert.Equal(1, gate.InUse);
    }

    [Fact]
    public void WaitAsync_FreeSlot_DoesNotAllocate()
    {
        var gate = new TierGate(4);
        Acquired(gate, 1).Dispose();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            Acquired(gate, 1 + (i % 4)).Dispose();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task WaitAsync_UnderContention_NeverExceedsCapacityOrShares()
    {
        // 8 workers x 2,000 acquisitions of random tiers on 5 slots; every 10th waits with a token
        // cancelled straight away, racing cancellation against the grant.
        const int Capacity = 5;
        var gate = new TierGate(Capacity);
        var limits = new[] { 5, 5, 3, 2 }; // tiers k+1..4 together, for capacity 5 and the default shares
        var held = new int[4];
        var violations = 0;
        var granted = 0;

        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var i = 0; i < 2_000; i++)
            {
                var tier = random.Next(1, 5);
                TierGate.Lease lease;
                try
                {
                    using var cts = new CancellationTokenSource();
                    var pending = gate.WaitAsync(tier, cts.Token);
                    if (i % 10 == 0)
                    {
                        await cts.CancelAsync();
                    }

                    lease = await pending;
                }
                catch (OperationCanceledException)
                {
                    continue;
                }

                using (lease)
                {
                    // Counted after the grant and uncounted before the release, so these counts
                    // never exceed what the gate really has out.
                    lock (held)
                    {
                        granted++;
                        held[tier - 1]++;
                        var fromHere = 0;
                        for (var k = 3; k >= 0; k--)
                        {
                            fromHere += held[k];
                            violations += fromHere > limits[k] ? 1 : 0;
                        }

                        violations += gate.InUse > Capacity ? 1 : 0;
                    }

                    if (i % 3 == 0)
                    {
                        await Task.Yield();
                    }

                    lock (held)
                    {
                        held[tier - 1]--;
                    }
                }
            }
        })).ToArray();

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(0, violations);
        Assert.True(granted >= 8 * 1_800, $"only {granted} acquisitions were granted");
        Assert.Equal((0, 0), (gate.InUse, gate.Waiting));
        Assert.Equal([0, 0, 0, 0], Enumerable.Range(1, 4).Select(gate.InUseByTier));
    }

    private static TierGate.Lease Acquired(TierGate gate, int tier)
    {
        var pending = gate.WaitAsync(tier, CancellationToken.None);
        if (!pending.IsCompletedSuccessfully)
        {
            Assert.Fail($"a tier-{tier} slot was expected to be free");
        }

        return pending.Result;
    }
}
