using TaskFlow.Routing.Bulkheads;
using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Strategies;

namespace TaskFlow.Routing.Tests.Strategies;

public sealed class PercentageSplitTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(33)]
    [InlineData(50)]
    [InlineData(99)]
    [InlineData(100)]
    public void Next_AnyHundredConsecutiveCalls_HoldExactlyThePercentage(int percent)
    {
        var calls = Calls(new PercentageSplit(percent), 1_000);

        for (var start = 0; start + 100 <= calls.Length; start++)
        {
            Assert.Equal(percent, calls.AsSpan(start, 100).Count(true));
        }
    }

    [Theory]
    [InlineData(12.5, 1_000, 125)]
    [InlineData(0.5, 10_000, 50)]
    [InlineData(0.0001, 2_000_000, 2)]
    [InlineData(66.6667, 1_000_000, 666_667)]
    public void Next_FractionalPercentage_IsExactOverWholeCycles(double percent, int count, int expected) =>
        Assert.Equal(expected, Calls(new PercentageSplit(percent), count).Count(c => c));

    [Fact]
    public void Next_FivePercent_EveryTwentiethCall()
    {
        var calls = Calls(new PercentageSplit(5), 200);

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (i * 20) - 1), Enumerable.Range(0, calls.Length).Where(i => calls[i]));
    }

    [Fact]
    public void Percent_SetAtRunTime_TakesEffectOnTheNextCall()
    {
        var split = new PercentageSplit(10);
        Calls(split, 37);

        // Rollback: nothing more goes to the new server.
        split.Percent = 0;
        Assert.DoesNotContain(true, Calls(split, 1_000));

        // Ramp: 20% of the calls from here on.
        split.Percent = 20;
        Assert.Equal(20, split.Percent);
        var ramped = Calls(split, 500);
        for (var start = 0; start + 100 <= ramped.Length; start++)
        {
            Assert.Equal(20, ramped.AsSpan(start, 100).Count(true));
        }

        split.Percent = 100;
        Assert.DoesNotContain(false, Calls(split, 1_000));
    }

    [Theory]
    [InlineData(-0.001)]
    [InlineData(100.001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Percent_OutsideZeroToHundred_Throws(double percent)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PercentageSplit(percent));

        var split = new PercentageSplit(5);
        Assert.Throws<ArgumentOutOfRangeException>(() => split.Percent = percent);
        Assert.Equal(5, split.Percent);
        Assert.Equal(5, Calls(split, 100).Count(c => c));
    }

    [Fact]
    public void Next_FromManyThreads_TheShareIsStillExact()
    {
        var split = new PercentageSplit(5);
        var hits = 0;

        Parallel.For(0, 100_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            if (split.Next())
            {
                Interlocked.Increment(ref hits);
            }
        });

        Assert.Equal(5_000, hits);
    }

    [Fact]
    public void Next_DoesNotAllocate()
    {
        var split = new PercentageSplit(37.5);
        split.Next();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            split.Next();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static bool[] Calls(PercentageSplit split, int count)
    {
        var calls = new bool[count];
        for (var i = 0; i < count; i++)
        {
            calls[i] = split.Next();
        }

        return calls;
    }
}
