import { useState } from 'react';
import { errorMessage } from '../api/client';
import { callMcpTool } from '../api/endpoints';
import type { McpToolCallResult } from '../api/types';
import type { JsonObject } from '../mapping/definition';

interface TryToolProps {
  tool: string;
  server: string | undefined;
  args: JsonObject;
}

const template = /\{\{.*\}\}/s;

/** Calls the tool once through the server with the arguments as they stand, and shows what it returned. */
export default function TryTool({ tool, server, args }: TryToolProps) {
  const [result, setResult] = useState<McpToolCallResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const templated = JSON.stringify(args).match(template) !== null;
  const run = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await callMcpTool(tool, server, args));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="tf-mcp-try">
      <button data-testid="mcp-try" disabled={busy || !tool} onClick={() => void run()}>{busy ? 'Calling…' : 'Try it'}</button>
      <span className="tf-hint"> calls {tool || 'the tool'} once{server ? ` on ${server}` : ''}, now (operator role).</span>
      {templated && <p className="tf-hint">Templates are sent as they are: a run renders them, a try does not.</p>}
      {error && <p className="tf-field-error" data-testid="mcp-try-error">{error}</p>}
      {result && (
        <div data-testid="mcp-try-result" data-error={result.isError}>
          <p className={result.isError ? 'tf-field-error' : 'tf-hint'}>{result.isError ? 'The tool reported an error' : 'Answered'} by {result.server}:</p>
          {result.text && <pre data-testid="mcp-try-text">{result.text}</pre>}
          {result.structuredContent != null && <pre data-testid="mcp-try-structured">{JSON.stringify(result.structuredContent, null, 2)}</pre>}
        </div>
      )}
    </div>
  );
}
