namespace TaskFlow.Routing.Upstreams;

/// <summary>The router's total connections (the report's 200), shared by every server.</summary>
internal sealed class ConnectionBudget(int total)
{
    private int _left = total;

    public int Total { get; } = total;

    public int InUse => Total - Volatile.Read(ref _left);

    public bool TryTake()
    {
        while (true)
        {
            var left = Volatile.Read(ref _left);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _left, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    public void Return() => Interlocked.Increment(ref _left);
}
