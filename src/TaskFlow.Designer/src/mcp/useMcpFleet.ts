import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { listMcpServers, listMcpTools } from '../api/endpoints';
import type { McpServerStatus, McpTool } from '../api/types';

/** The MCP fleet's servers (state, breaker, tier) and their tools with input schemas, loaded when asked for. */
export function useMcpFleet() {
  const [servers, setServers] = useState<McpServerStatus[]>([]);
  const [tools, setTools] = useState<McpTool[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      // Listing the tools starts servers that were idle, so the status is read after it.
      const listed = await listMcpTools();
      setTools(listed);
      setServers(await listMcpServers());
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return { servers, tools, loading, error, reload: load };
}
