namespace TaskFlow.Bench;

/// <summary>One measured instance: its nodes, its time, completion-to-start percentiles (chains) and the commit histogram's line.</summary>
internal sealed record BenchRun(int Nodes, TimeSpan Elapsed, double P50, double P99, string Commits);
