import { useMemo, useState } from 'react';
import type { McpTool } from '../api/types';
import type { JsonObject, JsonValue } from '../mapping/definition';
import { fromText, toText } from '../properties/fieldText';
import { toInputSchema } from '../properties/jsonSchema';
import SchemaForm from '../properties/SchemaForm';
import TextField from '../properties/TextField';
import McpToolPicker from './McpToolPicker';
import TryTool from './TryTool';
import { useMcpFleet } from './useMcpFleet';

interface McpCallEditorProps {
  nodeId: string;
  inputs: JsonObject;
  onChange: (inputs: JsonObject) => void;
}

const text = (value: JsonValue | undefined) => (typeof value === 'string' ? value : '');

/**
 * An <c>mcp.call</c> node's tool, server and arguments: the tool picked from the fleet (or typed,
 * for a routing rule's name), its input schema drawn as a form for the arguments (templates allowed
 * in every field), and a button that tries the call once.
 */
export default function McpCallEditor({ nodeId, inputs, onChange }: McpCallEditorProps) {
  const fleet = useMcpFleet();
  const tool = text(inputs.tool);
  const pinned = text(inputs.server) || null;
  const args = inputs.arguments && typeof inputs.arguments === 'object' && !Array.isArray(inputs.arguments) ? inputs.arguments : {};
  // The server the tool was picked from; a tool only one server lists needs no pick.
  const [picked, setPicked] = useState<string | null>(null);
  const owners = fleet.tools.filter((t) => t.name === tool);
  const known: McpTool | undefined = owners.find((t) => t.server === (pinned ?? picked)) ?? owners[0];
  const schema = useMemo(() => toInputSchema(known?.inputSchema), [known]);

  const set = (patch: Record<string, JsonValue | undefined>) => {
    const next: JsonObject = { ...inputs };
    for (const [name, value] of Object.entries(patch)) {
      if (value === undefined || value === '') delete next[name];
      else next[name] = value;
    }
    onChange(next);
  };
  const pick = (chosen: McpTool) => {
    setPicked(chosen.server);
    // Arguments the new tool does not take are dropped; those it takes are kept.
    const names = Object.keys(chosen.inputSchema?.properties ?? {});
    const kept = Object.fromEntries(Object.entries(args).filter(([name]) => names.includes(name)));
    set({ tool: chosen.name, server: pinned ? chosen.server : undefined, arguments: Object.keys(kept).length > 0 ? kept : undefined });
  };

  return (
    <section className="tf-mcp-call" data-testid="mcp-call-editor">
      <TextField label="tool *" testId="input-tool" value={tool} hint="Pick one below, or type a routing rule's name (memory.store)." onCommit={(t) => set({ tool: t.trim() })} />
      {known && (
        <p className="tf-hint" data-testid="mcp-selected" data-server={known.server} data-tool={known.name}>
          <strong>{known.title ?? known.name}</strong> on <code>{known.server}</code>{known.description ? `: ${known.description}` : ''}
        </p>
      )}
      {known && (
        <label className="tf-field tf-check">
          <input type="checkbox" data-testid="mcp-pin" checked={pinned !== null} onChange={(e) => set({ server: e.target.checked ? known.server : undefined })} />
          <span>Only on {known.server} (leave unticked for the routing rules to choose)</span>
        </label>
      )}
      <details open={!tool} className="tf-mcp-choose">
        <summary>Choose a tool of the fleet</summary>
        <button className="tf-link tf-hint" onClick={() => void fleet.reload()} data-testid="mcp-reload">Refresh the fleet's state</button>
        {fleet.loading && <p className="tf-hint">Listing the fleet's tools…</p>}
        {fleet.error && <p className="tf-field-error" data-testid="mcp-fleet-error">The fleet could not be listed: {fleet.error}</p>}
        {!fleet.loading && <McpToolPicker servers={fleet.servers} tools={fleet.tools} selected={tool ? { server: known?.server ?? null, tool } : null} onPick={pick} />}
      </details>
      <h4>Arguments</h4>
      {known && Object.keys(schema.properties).length > 0 ? (
        <SchemaForm nodeId={`${nodeId}-${known.server}-${known.name}`} schema={schema} inputs={args} testIdPrefix="argument-" templates
          onChange={(next) => set({ arguments: Object.keys(next).length > 0 ? next : undefined })} />
      ) : (
        <TextField label="arguments (JSON object)" testId="input-arguments" multiline value={toText(inputs.arguments)}
          hint={known ? 'This tool takes no arguments.' : 'The tool is not listed by the fleet now: write its arguments as JSON.'}
          check={(t) => fromText(t, 'object').error ?? null} onCommit={(t) => set({ arguments: fromText(t, 'object').value })} />
      )}
      {tool && <TryTool tool={tool} server={pinned ?? known?.server} args={args} />}
    </section>
  );
}
