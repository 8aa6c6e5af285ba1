namespace TaskFlow.Routing.Strategies;

/// <summary>
/// Smooth weighted round robin, the algorithm nginx uses for upstreams: each pick adds every
/// candidate's weight to its running score, takes the highest score (the first on a tie) and
/// subtracts the total weight from the winner. Weights 5, 1, 1 give <c>a a b a c a a</c>, not
/// <c>a a a a a b c</c>, so a light server is never left idle for a burst and then hit; over
/// every full round (the sum of the weights) each item is picked exactly its weight's times.
/// </summary>
/// <remarks>
/// An unavailable item is skipped as nginx skips a down peer: it takes no part in the pick, its
/// score stays where it was (so it neither builds up credit for a burst on return nor loses its
/// place), and the others share the picks by their weights. Thread-safe under a lock, and
/// allocation-free; the availability predicate runs under that lock, so it must be quick and must
/// not call back into this instance.
/// </remarks>
/// <typeparam name="T">The item, typically a server name.</typeparam>
public sealed class WeightedRoundRobin<T>
{
    private readonly Lock _lock = new();
    private readonly T[] _items;
    private readonly int[] _weights;
    private readonly long[] _scores;

    // Scratch for the predicate's answers, asked before any score changes: a predicate that
    // throws leaves the rotation as it was. Guarded by _lock.
    private readonly bool[] _available;

    /// <param name="items">The items and their weights (each at least 1), in tie-break order.</param>
    /// <exception cref="ArgumentException">A weight is below 1; the message names the item.</exception>
    public WeightedRoundRobin(IEnumerable<(T Item, int Weight)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var all = items.ToArray();
        var total = 0L;
        foreach (var (item, weight) in all)
        {
            if (weight < 1)
            {
                throw new ArgumentException($"The weight of '{item}' is {weight}; weights must be at least 1.", nameof(items));
            }

            total += weight;
        }

        if (total > int.MaxValue)
        {
            throw new ArgumentException($"The weights add up to {total}; the total must be at most {int.MaxValue}.", nameof(items));
        }

        _items = [.. all.Select(p => p.Item)];
        _weights = [.. all.Select(p => p.Weight)];
        _scores = new long[all.Length];
        _available = new bool[all.Length];
    }

    /// <summary>The number of items, available or not.</summary>
    public int Count => _items.Length;

    /// <summary>
    /// The next item among those <paramref name="isAvailable"/> accepts (all when null);
    /// <c>default</c> when none is available. Allocates nothing.
    /// </summary>
    public T? Next(Func<T, bool>? isAvailable = null)
    {
        lock (_lock)
        {
            if (isAvailable is not null)
            {
                for (var i = 0; i < _items.Length; i++)
                {
                    _available[i] = isAvailable(_items[i]);
                }
            }

            var best = -1;
            var total = 0L;
            for (var i = 0; i < _items.Length; i++)
            {
                if (isAvailable is not null && !_available[i])
                {
                    continue;
                }

                _scores[i] += _weights[i];
                total += _weights[i];
                if (best < 0 || _scores[i] > _scores[best])
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                return default;
            }

            _scores[best] -= total;
            return _items[best];
        }
    }
}
