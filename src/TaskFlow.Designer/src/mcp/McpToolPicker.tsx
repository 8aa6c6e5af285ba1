import { useMemo, useState } from 'react';
import type { McpServerStatus, McpTool } from '../api/types';
import { groupByTier, tierName } from './fleetTools';

interface McpToolPickerProps {
  servers: readonly McpServerStatus[];
  tools: readonly McpTool[];
  selected: { server: string | null; tool: string } | null;
  onPick: (tool: McpTool) => void;
}

function ServerBadges({ server }: { server: McpServerStatus }) {
  const retry = server.breakerRetryAfterSeconds;
  return (
    <span className="tf-mcp-badges">
      <span className={`tf-state mcp-state-${server.state.toLowerCase()}`} data-testid={`mcp-server-state-${server.name}`} title={server.lastError ?? undefined}>{server.state}</span>
      <span className={`tf-state mcp-breaker-${server.breaker.toLowerCase()}`} data-testid={`mcp-server-breaker-${server.name}`}>
        breaker {server.breaker.toLowerCase()}{retry ? ` (${Math.ceil(retry)}s)` : ''}
      </span>
    </span>
  );
}

/** The fleet's tools grouped by tier and server, each server with its state and breaker; a click picks a tool. */
export default function McpToolPicker({ servers, tools, selected, onPick }: McpToolPickerProps) {
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => groupByTier(servers, tools, filter), [servers, tools, filter]);
  return (
    <div className="tf-mcp-picker" data-testid="mcp-picker">
      <input className="tf-palette-filter" placeholder="Find a tool" value={filter} onChange={(e) => setFilter(e.target.value)} data-testid="mcp-filter" />
      {groups.length === 0 && <p className="tf-hint">{servers.length === 0 ? 'No MCP servers are configured (TaskFlow:Mcp:Servers).' : 'No tool matches.'}</p>}
      {groups.map(([tier, list]) => (
        <section key={tier} data-testid={`mcp-tier-${tier}`}>
          <h4>{tierName(tier)}</h4>
          {list.map(({ server, tools: own }) => (
            <details key={server.name} open className="tf-mcp-server" data-testid={`mcp-server-${server.name}`} data-state={server.state} data-breaker={server.breaker}>
              <summary><strong>{server.name}</strong> <ServerBadges server={server} /></summary>
              {own.length === 0 && <p className="tf-hint">No tools listed{server.lastError ? `: ${server.lastError}` : '.'}</p>}
              <ul>
                {own.map((t) => {
                  const active = selected?.tool === t.name && (selected.server === null || selected.server === t.server);
                  return (
                    <li key={t.name}>
                      <button className={`tf-link tf-mcp-tool${active ? ' active' : ''}`} data-testid={`mcp-tool-${t.server}-${t.name}`} title={t.description ?? undefined} onClick={() => onPick(t)}>
                        <code>{t.name}</code>{t.title && t.title !== t.name ? ` ${t.title}` : ''}
                      </button>
                    </li>
                  );
                })}
              </ul>
            </details>
          ))}
        </section>
      ))}
    </div>
  );
}
