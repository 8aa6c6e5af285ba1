import { describe, expect, it } from 'vitest';
import type { McpServerStatus, McpTool } from '../api/types';
import { groupByTier } from './fleetTools';

const server = (name: string, tier: number, extra: Partial<McpServerStatus> = {}): McpServerStatus => ({
  name, tier, transport: 'stdio', priority: 0, state: 'Ready', breaker: 'Closed', consecutiveFailures: 0, latencyMs: null, connections: 1, maxConnections: 4,
  callsInFlight: 0, pinnedSessions: 0, protocolVersion: null, tools: null, lastError: null, ...extra,
});
const tool = (s: string, name: string, description = ''): McpTool => ({ server: s, name, title: null, description, inputSchema: null });

describe('groupByTier', () => {
  const servers = [server('memory', 2), server('everything', 1), server('files', 2), server('everything', 1, { isolatedFor: 'risky.*' })];
  const tools = [tool('everything', 'echo', 'Echoes back'), tool('everything', 'add'), tool('memory', 'read_graph'), tool('files', 'read_file')];

  it('orders tiers, then servers, then tools, listing an isolated copy once', () => {
    const groups = groupByTier(servers, tools);
    expect(groups.map(([tier, list]) => [tier, list.map((s) => s.server.name)])).toEqual([[1, ['everything']], [2, ['files', 'memory']]]);
    expect(groups[0][1][0].tools.map((t) => t.name)).toEqual(['add', 'echo']);
  });

  it('keeps servers with a matching tool when filtered', () => {
    const groups = groupByTier(servers, tools, 'echoes');
    expect(groups).toHaveLength(1);
    expect(groups[0][1][0].tools.map((t) => t.name)).toEqual(['echo']);
  });
});
