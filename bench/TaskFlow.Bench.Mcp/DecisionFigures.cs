namespace TaskFlow.Bench.Mcp;

/// <summary>The cost of one route decision for one kind of tool name.</summary>
internal sealed record DecisionFigures(int Servers, int Rules, string Kind, double MedianNs, double MinNs, double MaxNs, long Iterations);
