import type { McpServerStatus, McpTool } from '../api/types';

/** One server of the fleet with its tools, for the picker. */
export interface ServerTools {
  server: McpServerStatus;
  tools: McpTool[];
}

/** The fleet's tools by tier (1 first), then by server name; a server whose tools could not be listed has none. */
export function groupByTier(servers: readonly McpServerStatus[], tools: readonly McpTool[], filter = ''): [number, ServerTools[]][] {
  const text = filter.trim().toLowerCase();
  const tiers = new Map<number, ServerTools[]>();
  // An isolated rule's own instance repeats its server: list each server once.
  for (const server of servers.filter((s) => !s.isolatedFor)) {
    const own = tools
      .filter((t) => t.server === server.name)
      .filter((t) => !text || `${t.name} ${t.title ?? ''} ${t.description ?? ''} ${t.server}`.toLowerCase().includes(text))
      .sort((a, b) => a.name.localeCompare(b.name));
    if (text && own.length === 0) continue;
    const list = tiers.get(server.tier) ?? [];
    list.push({ server, tools: own });
    tiers.set(server.tier, list);
  }
  return [...tiers]
    .sort(([a], [b]) => a - b)
    .map(([tier, list]) => [tier, list.sort((a, b) => a.server.name.localeCompare(b.server.name))]);
}

const tierNames: Record<number, string> = { 1: 'critical', 2: 'important', 3: 'standard', 4: 'support' };

export function tierName(tier: number): string {
  return `Tier ${tier}${tierNames[tier] ? ` (${tierNames[tier]})` : ''}`;
}
