namespace TaskFlow.Routing.CircuitBreaking;

/// <summary>
/// A count-based circuit breaker for one server, as the reference report specifies it
/// (<c>failure_threshold: 5</c>, <c>timeout: 30s</c>, <c>half_open_requests: 3</c>).
/// <list type="bullet">
/// <item><b>Closed</b>: every call passes. <c>failureThreshold</c> failures in a row open the
/// circuit; a success resets the count, so an occasional error never trips it.</item>
/// <item><b>Open</b>: calls are refused for <c>openDuration</c>, which gives a struggling server
/// room to recover instead of a queue of retries.</item>
/// <item><b>HalfOpen</b>: at most <c>halfOpenRequests</c> probes are in flight at once. Any
/// failure opens the circuit again for a new period; <c>halfOpenRequests</c> successful probes
/// close it.</item>
/// </list>
/// The caller brackets each call: <see cref="TryEnter"/> before it, then exactly one of
/// <see cref="OnSuccess"/>, <see cref="OnFailure"/> or <see cref="OnCancelled"/> after it (a
/// cancelled call says nothing about the server's health, so it must not count as a failure).
/// </summary>
/// <remarks>
/// Thread-safe, allocation-free, no timers: Open turns into HalfOpen when someone next looks
/// (any member), measured with the monotonic clock of the injected <see cref="TimeProvider"/>.
/// Verdicts carry no token, so they are judged by the state at the time they arrive: a verdict
/// that arrives while the circuit is open comes from a call entered before it opened and is
/// ignored (it neither extends the open period nor closes anything); a success in HalfOpen counts
/// only while a probe is in flight, so such late calls cannot close the circuit, whereas a late
/// failure in HalfOpen reopens it, erring on the side of caution.
/// </remarks>
public sealed class CircuitBreaker
{
    private readonly Lock _lock = new();
    private readonly int _failureThreshold;
    private readonly TimeSpan _openDuration;
    private readonly int _halfOpenRequests;
    private readonly TimeProvider _time;

    // Open is stored until someone looks after the open period: see Refresh.
    private CircuitState _state = CircuitState.Closed;
    private long _openedAt;
    private int _consecutiveFailures;
    private int _probesInFlight;
    private int _probeSuccesses;

    /// <param name="failureThreshold">Consecutive failures that open a closed circuit (at least 1).</param>
    /// <param name="openDuration">How long the circuit stays open before it lets probes through (positive).</param>
    /// <param name="halfOpenRequests">Probes in flight at once while half-open, and successes needed to close (at least 1).</param>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> in production.</param>
    public CircuitBreaker(int failureThreshold, TimeSpan openDuration, int halfOpenRequests, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failureThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(openDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(halfOpenRequests, 1);
        ArgumentNullException.ThrowIfNull(time);
        _failureThreshold = failureThreshold;
        _openDuration = openDuration;
        _halfOpenRequests = halfOpenRequests;
        _time = time;
    }

    /// <summary>
    /// Raised with the old and the new state after each change, outside the breaker's lock, so a
    /// handler may call back into the breaker. Handlers run on the thread whose call caused the
    /// change (for Open to HalfOpen: the first to look after the open period), so handlers for
    /// changes close together in time may run concurrently; an exception from a handler reaches
    /// that caller, after the state has changed.
    /// </summary>
    public event Action<CircuitState, CircuitState>? StateChanged;

    /// <summary>The current state; Open reads as HalfOpen once the open period has passed.</summary>
    public CircuitState State
    {
        get
        {
            CircuitState state;
            Transition changed;
            lock (_lock)
            {
                changed = Refresh();
                state = _state;
            }

            Raise(changed);
            return state;
        }
    }

    /// <summary>While open, the time until probes are let through; otherwise null.</summary>
    public TimeSpan? RetryAfter
    {
        get
        {
            TimeSpan? retryAfter = null;
            Transition changed;
            lock (_lock)
            {
                changed = Refresh();
                if (_state == CircuitState.Open)
                {
                    retryAfter = _openDuration - _time.GetElapsedTime(_openedAt);
                }
            }

            Raise(changed);
            return retryAfter;
        }
    }

    /// <summary>Failures reported since the last counted success (the count that opens a closed circuit).</summary>
    public int ConsecutiveFailures
    {
        get
        {
            lock (_lock)
            {
                return _consecutiveFailures;
            }
        }
    }

    /// <summary>
    /// Whether a call may go ahead: always when closed, never when open, and when half-open only
    /// while fewer than <c>halfOpenRequests</c> probes are in flight. A true answer must be
    /// followed by exactly one of <see cref="OnSuccess"/>, <see cref="OnFailure"/> or
    /// <see cref="OnCancelled"/>, or a half-open probe slot stays taken.
    /// </summary>
    public bool TryEnter()
    {
        bool entered;
        Transition changed;
        lock (_lock)
        {
            changed = Refresh();
            switch (_state)
            {
                case CircuitState.Closed:
                    entered = true;
                    break;
                case CircuitState.HalfOpen when _probesInFlight < _halfOpenRequests:
                    _probesInFlight++;
                    entered = true;
                    break;
                default:
                    entered = false;
                    break;
            }
        }

        Raise(changed);
        return entered;
    }

    /// <summary>An entered call succeeded: resets the failure count; closes the circuit after enough successful probes.</summary>
    public void OnSuccess()
    {
        Transition first, second = default;
        lock (_lock)
        {
            first = Refresh();
            if (_state == CircuitState.Closed)
            {
                _consecutiveFailures = 0;
            }
            else if (_state == CircuitState.HalfOpen && _probesInFlight > 0)
            {
                _probesInFlight--;
                _probeSuccesses++;
                _consecutiveFailures = 0;
                if (_probeSuccesses >= _halfOpenRequests)
                {
                    _state = CircuitState.Closed;
                    second = new Transition(CircuitState.HalfOpen, CircuitState.Closed);
                }
            }
        }

        Raise(first);
        Raise(second);
    }

    /// <summary>An entered call failed: opens a closed circuit at the threshold, and reopens a half-open one at once.</summary>
    public void OnFailure()
    {
        Transition first, second = default;
        lock (_lock)
        {
            first = Refresh();
            if (_state != CircuitState.Open)
            {
                _consecutiveFailures++;
                if (_state == CircuitState.HalfOpen || _consecutiveFailures >= _failureThreshold)
                {
                    second = new Transition(_state, CircuitState.Open);
                    _state = CircuitState.Open;
                    _openedAt = _time.GetTimestamp();
                }
            }
        }

        Raise(first);
        Raise(second);
    }

    /// <summary>An entered call ended without a verdict (the caller cancelled): frees its probe slot, counts neither way.</summary>
    public void OnCancelled()
    {
        Transition changed;
        lock (_lock)
        {
            changed = Refresh();
            if (_state == CircuitState.HalfOpen && _probesInFlight > 0)
            {
                _probesInFlight--;
            }
        }

        Raise(changed);
    }

    /// <summary>
    /// The server is up again (started anew after its process or session was lost): an open
    /// circuit lets probes through now rather than at the end of its open period, since the reason
    /// it opened is gone. The probes still decide whether it closes. Closed and half-open stay as they are.
    /// </summary>
    public void OnRecovered()
    {
        Transition changed = default;
        lock (_lock)
        {
            if (_state == CircuitState.Open)
            {
                changed = new Transition(CircuitState.Open, CircuitState.HalfOpen);
                _state = CircuitState.HalfOpen;
                _probesInFlight = 0;
                _probeSuccesses = 0;
            }
        }

        Raise(changed);
    }

    // Under the lock. Turns Open into HalfOpen once the open period has passed; a new half-open
    // period starts with no probes, so calls still in flight from before never count as probes.
    private Transition Refresh()
    {
        if (_state != CircuitState.Open || _time.GetElapsedTime(_openedAt) < _openDuration)
        {
            return default;
        }

        _state = CircuitState.HalfOpen;
        _probesInFlight = 0;
        _probeSuccesses = 0;
        return new Transition(CircuitState.Open, CircuitState.HalfOpen);
    }

    private void Raise(Transition transition)
    {
        if (transition.Changed)
        {
            StateChanged?.Invoke(transition.From, transition.To);
        }
    }

    private readonly record struct Transition(CircuitState From, CircuitState To)
    {
        public bool Changed => From != To;
    }
}
