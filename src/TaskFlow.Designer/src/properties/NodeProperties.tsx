import type { ActivityDescriptor } from '../api/types';
import type { NodeDefinition } from '../mapping/definition';
import type { Problem } from '../mapping/problems';
import McpCallEditor from '../mcp/McpCallEditor';
import SchemaForm from './SchemaForm';
import TextField from './TextField';

type Editable = Omit<NodeDefinition, 'layout'>;

interface NodePropertiesProps {
  definition: Editable;
  activity: ActivityDescriptor | undefined;
  problems: Problem[] | undefined;
  onChange: (definition: Editable) => void;
}

// mcp.call's tool, server and arguments have an editor of their own (the fleet's tools and their schemas).
const mcpCall = 'mcp.call';
const mcpCallOwnInputs = ['tool', 'server', 'arguments'];

const durationPattern = /^\s*([0-9]+(\.[0-9]+)?\s*(ms|s|m|h|d)\s*)+$|^[0-9]+(\.[0-9]+)?$|^\d+:\d{2}:\d{2}$/;

/** The selected node: name, timeout, tier, retries and its activity's inputs. */
export default function NodeProperties({ definition, activity, problems, onChange }: NodePropertiesProps) {
  const set = (patch: Partial<Editable>) => {
    const next: Editable = { ...definition, ...patch };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || value === null || value === '') delete (next as Record<string, unknown>)[key];
    }
    onChange(next);
  };
  const attempts = typeof definition.retry?.maxAttempts === 'number' ? String(definition.retry.maxAttempts) : '';

  return (
    <div className="tf-properties" data-testid="node-properties">
      <h2>{activity?.displayName ?? definition.type} <code>{definition.id}</code></h2>
      {activity ? <p className="tf-hint">{activity.description}</p> : <p className="tf-field-error">Unknown activity type '{definition.type}'.</p>}
      {problems && (
        <ul className="tf-problems" data-testid="node-properties-problems">{problems.map((p, i) => <li key={i}>{p.message}</li>)}</ul>
      )}
      <TextField label="Name" testId="node-name" value={definition.name ?? ''} onCommit={(name) => set({ name })} />
      {definition.type === mcpCall && <McpCallEditor nodeId={definition.id} inputs={definition.inputs ?? {}} onChange={(inputs) => set({ inputs })} />}
      {activity && (
        <SchemaForm nodeId={definition.id} schema={activity.inputSchema} inputs={definition.inputs ?? {}} onChange={(inputs) => set({ inputs })}
          omit={definition.type === mcpCall ? mcpCallOwnInputs : undefined} templates />
      )}
      <details>
        <summary>Timeout, tier and retries</summary>
        <TextField
          label="Timeout per attempt"
          testId="node-timeout"
          value={definition.timeout ?? ''}
          hint="e.g. 30s, 5m, 00:01:00"
          check={(t) => (t.trim() === '' || durationPattern.test(t) ? null : 'Not a duration: write e.g. 250ms, 30s, 5m or 00:01:30.')}
          onCommit={(timeout) => set({ timeout })}
        />
        <TextField
          label="Tier (1 critical to 4 support)"
          testId="node-tier"
          value={definition.tier == null ? '' : String(definition.tier)}
          check={(t) => (t.trim() === '' || /^[1-4]$/.test(t.trim()) ? null : 'The tier is 1, 2, 3 or 4.')}
          onCommit={(t) => set({ tier: t.trim() === '' ? undefined : Number(t) })}
        />
        <TextField
          label="Attempts (1 = no retry)"
          testId="node-attempts"
          value={attempts}
          check={(t) => (t.trim() === '' || /^[1-9][0-9]*$/.test(t.trim()) ? null : 'A whole number of 1 or more.')}
          onCommit={(t) => set({ retry: t.trim() === '' ? undefined : { ...(definition.retry ?? {}), maxAttempts: Number(t) } })}
        />
      </details>
    </div>
  );
}
