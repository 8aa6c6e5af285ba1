using TaskFlow.Routing.Bulkheads;
using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Strategies;

namespace TaskFlow.Routing.Tests.Strategies;

public sealed class WeightedRoundRobinTests
{
    private static readonly (string, int)[] FiveOneOne = [("a", 5), ("b", 1), ("c", 1)];

    [Fact]
    public void Next_WeightsFiveOneOne_IsSmooth()
    {
        var rotation = new WeightedRoundRobin<string>(FiveOneOne);

        Assert.Equal("aabacaa", string.Concat(Picks(rotation, 7)));
        Assert.Equal("aabacaa", string.Concat(Picks(rotation, 7)));
    }

    [Fact]
    public void Next_ManyRounds_DistributionIsExact()
    {
        var rotation = new WeightedRoundRobin<string>(FiveOneOne);

        var counts = Picks(rotation, 7_000).CountBy(s => s).OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();

        Assert.Equal([new("a", 5_000), new("b", 1_000), new KeyValuePair<string, int>("c", 1_000)], counts);
    }

    [Fact]
    public void Next_FromManyThreads_DistributionIsStillExact()
    {
        var rotation = new WeightedRoundRobin<string>([("a", 3), ("b", 2), ("c", 1)]);
        var counts = new int[3];

        Parallel.For(0, 6_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
            Interlocked.Increment(ref counts[rotation.Next()![0] - 'a']));

        Assert.Equal([3_000, 2_000, 1_000], counts);
    }

    [Fact]
    public void Next_UnavailableItem_IsSkippedAndTheOthersKeepTheirProportions()
    {
        var rotation = new WeightedRoundRobin<string>(FiveOneOne);

        var picks = Picks(rotation, 600, s => s != "b");

        Assert.DoesNotContain("b", picks);
        Assert.Equal((500, 100), (picks.Count(s => s == "a"), picks.Count(s => s == "c")));

        // c stays spread out among the a's: never two c's in a row.
        Assert.DoesNotContain("cc", string.Concat(picks));
    }

    [Fact]
    public void Next_ItemBackAfterAnOutage_GetsNoBurst()
    {
        var rotation = new WeightedRoundRobin<string>(FiveOneOne);
        Picks(rotation, 100, s => s != "b");

        // Back in the rotation, b gets its weight's share again, not a catch-up for the outage.
        var picks = string.Concat(Picks(rotation, 70));

        Assert.Equal(10, picks.Count(c => c == 'b'));
        Assert.DoesNotContain("bb", picks);
    }

    [Fact]
    public void Next_NoneAvailable_ReturnsDefault()
    {
        Assert.Null(new WeightedRoundRobin<string>(FiveOneOne).Next(_ => false));
        Assert.Null(new WeightedRoundRobin<string>([]).Next());
        Assert.Equal(0, new WeightedRoundRobin<int>([(7, 1)]).Next(_ => false));
    }

    [Fact]
    public void Next_PredicateThrows_LeavesTheRotationAsItWas()
    {
        var rotation = new WeightedRoundRobin<string>(FiveOneOne);
        rotation.Next();

        Assert.Throws<InvalidOperationException>(() => rotation.Next(s => s == "c" ? throw new InvalidOperationException() : true));

        Assert.Equal("abacaa", string.Concat(Picks(rotation, 6)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Constructor_WeightBelowOne_ThrowsNamingTheItem(int weight)
    {
        var error = Assert.Throws<ArgumentException>(() => new WeightedRoundRobin<string>([("memory-bank-mcp", 2), ("extended_memory_mcp", weight)]));

        Assert.Contains("'extended_memory_mcp'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Count_IsEveryItem()
    {
        Assert.Equal(3, new WeightedRoundRobin<string>(FiveOneOne).Count);
        Assert.Equal(0, new WeightedRoundRobin<string>([]).Count);
    }

    [Fact]
    public void Next_DoesNotAllocate()
    {
        var rotation = new WeightedRoundRobin<string>(FiveOneOne);
        Func<string, bool> notB = s => !ReferenceEquals(s, "b");
        rotation.Next();
        rotation.Next(notB);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            rotation.Next();
            rotation.Next(notB);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static List<string> Picks(WeightedRoundRobin<string> rotation, int count, Func<string, bool>? isAvailable = null)
    {
        var picks = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            picks.Add(rotation.Next(isAvailable)!);
        }

        return picks;
    }
}
