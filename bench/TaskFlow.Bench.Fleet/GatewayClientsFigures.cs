namespace TaskFlow.Bench.Fleet;

/// <summary>Several MCP clients on one gateway: what each saw, and the fleet's memory meanwhile.</summary>
internal sealed record GatewayClientsFigures(int Clients, IReadOnlyList<int> ToolsPerClient, long CallsOk, long CallsFailed, string? FirstError, FleetMemory Memory);
