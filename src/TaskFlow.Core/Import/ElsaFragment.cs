namespace TaskFlow.Core.Import;

/// <summary>
/// The nodes one Elsa activity became, seen from outside: inbound connections go to every entry,
/// outbound ones leave from every exit. A simple activity is one node that is both. A Finish has no
/// exits, because nothing after it runs.
/// </summary>
internal sealed record ElsaFragment(IReadOnlyList<string> Entries, IReadOnlyList<string> Exits)
{
    public static ElsaFragment Single(string nodeId) => new([nodeId], [nodeId]);

    public static ElsaFragment Terminal(string nodeId) => new([nodeId], []);
}
