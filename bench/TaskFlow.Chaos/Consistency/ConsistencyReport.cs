namespace TaskFlow.Chaos.Consistency;

/// <summary>What <see cref="DatabaseConsistency"/> found: stranded rows and doubled transitions, each in words.</summary>
public sealed record ConsistencyReport(IReadOnlyList<string> Stranded, IReadOnlyList<string> Doubled)
{
    public bool IsConsistent => Stranded.Count == 0 && Doubled.Count == 0;

    public IEnumerable<string> Problems => Stranded.Concat(Doubled);
}
