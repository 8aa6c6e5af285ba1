import type { DefinitionMeta } from '../mapping/graph';
import { fromText, toText } from './fieldText';
import TextField from './TextField';

/** The workflow itself when nothing is selected: id, name, description and declared inputs. */
export default function DefinitionProperties({ meta, onChange }: { meta: DefinitionMeta; onChange: (meta: DefinitionMeta) => void }) {
  const set = (patch: Partial<DefinitionMeta>) => {
    const next: DefinitionMeta = { ...meta, ...patch };
    for (const [key, value] of Object.entries(patch)) if (value === undefined || value === '') delete next[key];
    onChange(next);
  };
  return (
    <div className="tf-properties" data-testid="definition-properties">
      <h2>Workflow</h2>
      <TextField
        label="Id *"
        testId="definition-id"
        value={meta.id}
        check={(t) => (/^[A-Za-z0-9._-]+$/.test(t) ? null : "Letters, digits, '-', '_' and '.' only.")}
        onCommit={(id) => set({ id })}
      />
      <TextField label="Name" testId="definition-name" value={meta.name ?? ''} onCommit={(name) => set({ name })} />
      <TextField label="Description" testId="definition-description" multiline value={meta.description ?? ''} onCommit={(description) => set({ description })} />
      <TextField
        label="Inputs"
        testId="definition-inputs"
        multiline
        value={toText(meta.inputs as never)}
        hint='{ "name": { "type": "string", "required": true } }'
        check={(t) => fromText(t, 'object').error ?? null}
        onCommit={(t) => set({ inputs: fromText(t, 'object').value })}
      />
      <p className="tf-hint">Select a node or an edge to edit it. Delete removes the selection; Ctrl+C / Ctrl+V copy and paste; Ctrl+Z / Ctrl+Shift+Z undo and redo.</p>
    </div>
  );
}
