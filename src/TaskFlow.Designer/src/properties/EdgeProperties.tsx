import { conditionText, type FlowEdge } from '../mapping/graph';
import TemplateField from '../editor/TemplateField';
import TextField from './TextField';

interface EdgePropertiesProps {
  edge: FlowEdge;
  ports: string[];
  onChange: (edge: FlowEdge) => void;
}

/** The selected edge: the outcome port it follows, its condition and its label. */
export default function EdgeProperties({ edge, ports, onChange }: EdgePropertiesProps) {
  const setData = (patch: Partial<NonNullable<FlowEdge['data']>>) => {
    const data = { ...(edge.data ?? {}), ...patch };
    for (const [key, value] of Object.entries(patch)) if (!value) delete (data as Record<string, unknown>)[key];
    onChange({ ...edge, data });
  };
  const isJavaScript = typeof edge.data?.condition === 'object';
  return (
    <div className="tf-properties" data-testid="edge-properties">
      <h2>Edge <code>{edge.source} → {edge.target}</code></h2>
      <label className="tf-field">
        <span className="tf-field-label">Outcome port</span>
        <select data-testid="edge-port" value={edge.sourceHandle ?? 'done'} onChange={(e) => onChange({ ...edge, sourceHandle: e.target.value })}>
          {ports.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </label>
      <label className="tf-field">
        <span className="tf-field-label">Condition language</span>
        <select
          data-testid="edge-condition-language"
          value={isJavaScript ? 'javascript' : 'template'}
          onChange={(e) => {
            const text = conditionText(edge.data?.condition);
            setData({ condition: text ? (e.target.value === 'javascript' ? { js: text } : text) : undefined });
          }}
        >
          <option value="template">Template expression</option>
          <option value="javascript">JavaScript</option>
        </select>
      </label>
      {isJavaScript ? (
        // The template editor's completion and checks are for the template language: JavaScript gets plain text.
        <TextField
          label="Condition"
          testId="edge-condition"
          value={conditionText(edge.data?.condition)}
          hint="JavaScript; the edge is taken when it is truthy, e.g. getVariable('amount') > 1000"
          onCommit={(text) => setData({ condition: text ? { js: text } : undefined })}
        />
      ) : (
        <TemplateField
          label="Condition"
          mode="expression"
          testId="edge-condition"
          value={conditionText(edge.data?.condition)}
          hint="An expression; the edge is taken only when it is true, e.g. input.amount > 100"
          check={(t) => ((t.match(/\{\{/g)?.length ?? 0) !== (t.match(/\}\}/g)?.length ?? 0) ? 'Unbalanced {{ }}.' : null)}
          onCommit={(condition) => setData({ condition })}
        />
      )}
      <TextField label="Label" testId="edge-label" value={edge.data?.label ?? ''} onCommit={(label) => setData({ label })} />
      <label className="tf-field tf-field-inline">
        <input
          type="checkbox"
          data-testid="edge-loop"
          checked={Boolean(edge.data?.loop)}
          onChange={(e) => setData({ loop: e.target.checked, maxIterations: e.target.checked ? edge.data?.maxIterations : undefined })}
        />
        <span className="tf-field-label">Loop edge: goes back, and runs the loop again when taken</span>
      </label>
      {edge.data?.loop && (
        <TextField
          label="Max iterations"
          testId="edge-max-iterations"
          value={edge.data?.maxIterations != null ? String(edge.data.maxIterations) : ''}
          hint="How often the edge may be taken in one run of its loop; 1000 when empty"
          onCommit={(text) => {
            const value = Number(text);
            setData({ maxIterations: text.trim() && Number.isInteger(value) ? value : undefined });
          }}
        />
      )}
    </div>
  );
}
