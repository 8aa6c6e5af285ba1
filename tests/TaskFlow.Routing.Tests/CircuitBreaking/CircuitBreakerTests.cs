using Microsoft.Extensions.Time.Testing;
using TaskFlow.Routing.Bulkheads;
using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Strategies;

namespace TaskFlow.Routing.Tests.CircuitBreaking;

public sealed class CircuitBreakerTests
{
    // The reference report's settings: 5 failures, open 30 s, 3 half-open requests.
    private static readonly TimeSpan OpenDuration = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new();
    private readonly List<(CircuitState From, CircuitState To)> _changes = [];
    private readonly CircuitBreaker _breaker;

    public CircuitBreakerTests()
    {
        _breaker = new CircuitBreaker(5, OpenDuration, 3, _time);
        _breaker.StateChanged += (from, to) => _changes.Add((from, to));
    }

    [Fact]
    public void Constructor_InvalidSettings_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker(0, OpenDuration, 3, _time));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker(5, TimeSpan.Zero, 3, _time));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker(5, OpenDuration, 0, _time));
        Assert.Throws<ArgumentNullException>(() => new CircuitBreaker(5, OpenDuration, 3, null!));
    }

    [Fact]
    public void New_IsClosedAndAdmits()
    {
        Assert.Equal(CircuitState.Closed, _breaker.State);
        Assert.True(_breaker.TryEnter());
        Assert.Null(_breaker.RetryAfter);
        Assert.Equal(0, _breaker.ConsecutiveFailures);
        Assert.Empty(_changes);
    }

    [Fact]
    public void OnFailure_ThresholdInARow_OpensAndRefuses()
    {
        Fail(4);
        Assert.Equal((CircuitState.Closed, 4), (_breaker.State, _breaker.ConsecutiveFailures));
        Assert.True(_breaker.TryEnter());

        _breaker.OnFailure();

        Assert.Equal(CircuitState.Open, _breaker.State);
        Assert.False(_breaker.TryEnter());
        Assert.Equal(OpenDuration, _breaker.RetryAfter);
        Assert.Equal([(CircuitState.Closed, CircuitState.Open)], _changes);
    }

    [Fact]
    public void OnSuccess_BetweenFailures_ResetsTheCount()
    {
        Fail(4);
        _breaker.OnSuccess();
        Fail(4);

        Assert.Equal((CircuitState.Closed, 4), (_breaker.State, _breaker.ConsecutiveFailures));
    }

    [Fact]
    public void OnCancelled_WhileClosed_CountsNeitherWay()
    {
        Fail(4);
        _breaker.OnCancelled();

        Assert.Equal(4, _breaker.ConsecutiveFailures);
        _breaker.OnFailure();
        Assert.Equal(CircuitState.Open, _breaker.State);
    }

    [Fact]
    public void Open_UntilTheOpenDurationHasPassed_ThenHalfOpen()
    {
        Open();

        _time.Advance(OpenDuration - TimeSpan.FromMilliseconds(1));
        Assert.Equal(CircuitState.Open, _breaker.State);
        Assert.Equal(TimeSpan.FromMilliseconds(1), _breaker.RetryAfter);
        Assert.False(_breaker.TryEnter());

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(CircuitState.HalfOpen, _breaker.State);
        Assert.Null(_breaker.RetryAfter);
        Assert.Equal([(CircuitState.Closed, CircuitState.Open), (CircuitState.Open, CircuitState.HalfOpen)], _changes);
    }

    [Fact]
    public void TryEnter_HalfOpen_AdmitsAtMostHalfOpenRequestsInFlight()
    {
        HalfOpen();

        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(_ => _breaker.TryEnter()).ToArray());

        // A cancelled probe frees its slot; a finished one does too.
        _breaker.OnCancelled();
        Assert.True(_breaker.TryEnter());
        Assert.False(_breaker.TryEnter());
        _breaker.OnSuccess();
        Assert.True(_breaker.TryEnter());
        Assert.False(_breaker.TryEnter());
    }

    [Fact]
    public void TryEnter_HalfOpenUnderContention_AdmitsExactlyHalfOpenRequests()
    {
        HalfOpen();
        var admitted = 0;

        Parallel.For(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            if (_breaker.TryEnter())
            {
                Interlocked.Increment(ref admitted);
            }
        });

        Assert.Equal(3, admitted);
    }

    [Fact]
    public void OnSuccess_HalfOpenRequestsProbesSucceed_Closes()
    {
        HalfOpen();
        EnterProbes(3);

        _breaker.OnSuccess();
        _breaker.OnSuccess();
        Assert.Equal(CircuitState.HalfOpen, _breaker.State);
        _breaker.OnSuccess();

        Assert.Equal(CircuitState.Closed, _breaker.State);
        Assert.Equal(0, _breaker.ConsecutiveFailures);
        Assert.Equal((CircuitState.HalfOpen, CircuitState.Closed), _changes[^1]);

        // Closed again means the full threshold again.
        Fail(4);
        Assert.Equal(CircuitState.Closed, _breaker.State);
    }

    [Fact]
    public void OnSuccess_HalfOpen_CountsSuccessesAcrossSlotReuse()
    {
        HalfOpen();

        // One slot used three times in a row: three successful probes close the circuit.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(CircuitState.HalfOpen, _breaker.State);
            Assert.True(_breaker.TryEnter());
            _breaker.OnSuccess();
        }

        Assert.Equal(CircuitState.Closed, _breaker.State);
    }

    [Fact]
    public void OnFailure_HalfOpen_ReopensForANewPeriod()
    {
        HalfOpen();
        EnterProbes(3);
        _breaker.OnSuccess();
        _breaker.OnSuccess();

        _breaker.OnFailure();

        Assert.Equal(CircuitState.Open, _breaker.State);
        Assert.Equal(OpenDuration, _breaker.RetryAfter);
        Assert.False(_breaker.TryEnter());
        Assert.Equal((CircuitState.HalfOpen, CircuitState.Open), _changes[^1]);

        // The new half-open period starts from nothing: the earlier two successes are forgotten.
        _time.Advance(OpenDuration);
        EnterProbes(3);
        _breaker.OnSuccess();
        _breaker.OnSuccess();
        Assert.Equal(CircuitState.HalfOpen, _breaker.State);
        _breaker.OnSuccess();
        Assert.Equal(CircuitState.Closed, _breaker.State);
    }

    [Fact]
    public void OnCancelled_HalfOpen_CountsNeitherWay()
    {
        HalfOpen();
        EnterProbes(3);

        _breaker.OnCancelled();
        _breaker.OnSuccess();
        _breaker.OnSuccess();
        Assert.Equal(CircuitState.HalfOpen, _breaker.State);

        Assert.True(_breaker.TryEnter());
        _breaker.OnSuccess();
        Assert.Equal(CircuitState.Closed, _breaker.State);
    }

    [Fact]
    public void Verdicts_WhileOpen_AreLateAndIgnored()
    {
        Open();
        _time.Advance(TimeSpan.FromSeconds(10));

        _breaker.OnSuccess();
        _breaker.OnFailure();
        _breaker.OnCancelled();

        // Neither closed nor extended: half-open exactly 30 s after it opened.
        Assert.Equal(CircuitState.Open, _breaker.State);
        Assert.Equal(TimeSpan.FromSeconds(20), _breaker.RetryAfter);
        Assert.Equal(5, _breaker.ConsecutiveFailures);
    }

    [Fact]
    public void OnSuccess_HalfOpenWithoutAProbeInFlight_DoesNotCount()
    {
        HalfOpen();

        // Calls entered before the circuit opened, finishing late: they are not probes.
        for (var i = 0; i < 5; i++)
        {
            _breaker.OnSuccess();
        }

        Assert.Equal(CircuitState.HalfOpen, _breaker.State);
    }

    [Fact]
    public void StateChanged_IsRaisedOutsideTheLock()
    {
        CircuitState? seenFromAnotherThread = null;
        var finished = false;
        _breaker.StateChanged += (_, _) =>
        {
            // Another thread must be able to enter the breaker while the handler runs; were the
            // lock held, the join would time out.
            var reader = new Thread(() => seenFromAnotherThread = _breaker.State);
            reader.Start();
            finished = reader.Join(TimeSpan.FromSeconds(10));
        };

        Open();

        Assert.True(finished);
        Assert.Equal(CircuitState.Open, seenFromAnotherThread);
    }

    [Fact]
    public void StateChanged_OpenToHalfOpen_IsRaisedOnceByWhoeverLooksFirst()
    {
        Open();
        _time.Advance(OpenDuration);

        Assert.True(_breaker.TryEnter());
        Assert.Equal(CircuitState.HalfOpen, _breaker.State);

        Assert.Equal([(CircuitState.Closed, CircuitState.Open), (CircuitState.Open, CircuitState.HalfOpen)], _changes);
    }

    [Fact]
    public void TryEnterAndVerdicts_DoNotAllocate()
    {
        _breaker.TryEnter();
        _breaker.OnSuccess();
        _breaker.OnFailure();
        _ = _breaker.State;

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            _breaker.TryEnter();
            _breaker.OnSuccess();
            _breaker.TryEnter();
            _breaker.OnCancelled();
            _ = _breaker.State;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private void Fail(int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.True(_breaker.TryEnter());
            _breaker.OnFailure();
        }
    }

    private void Open()
    {
        Fail(5);
        Assert.Equal(CircuitState.Open, _breaker.State);
    }

    private void HalfOpen()
    {
        Open();
        _time.Advance(OpenDuration);
        Assert.Equal(CircuitState.HalfOpen, _breaker.State);
    }

    private void EnterProbes(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(_breaker.TryEnter());
        }
    }

    [Fact]
    public void OnRecovered_WhileOpen_LetsProbesThroughAtOnce_AndTheyStillDecide()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.True(_breaker.TryEnter());
            _breaker.OnFailure();
        }

        Assert.Equal(CircuitState.Open, _breaker.State);
        _time.Advance(TimeSpan.FromSeconds(1));

        _breaker.OnRecovered();

        Assert.Equal(CircuitState.HalfOpen, _breaker.State);
        Assert.Null(_breaker.RetryAfter);
        Assert.True(_breaker.TryEnter());
        _breaker.OnFailure();
        Assert.Equal(CircuitState.Open, _breaker.State);
    }

    [Fact]
    public void OnRecovered_WhileClosed_ChangesNothing()
    {
        Assert.True(_breaker.TryEnter());
        _breaker.OnFailure();

        _breaker.OnRecovered();

        Assert.Equal((CircuitState.Closed, 1), (_breaker.State, _breaker.ConsecutiveFailures));
    }
}
