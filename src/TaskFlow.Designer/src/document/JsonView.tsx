import { useEffect, useState } from 'react';
import type { WorkflowDefinition } from '../mapping/definition';

interface JsonViewProps {
  definition: WorkflowDefinition;
  onApply: (definition: WorkflowDefinition) => void;
}

/** The definition as JSON, editable: Apply replaces the canvas with the edited document (one undo step). */
export default function JsonView({ definition, onApply }: JsonViewProps) {
  const text = JSON.stringify(definition, null, 2);
  const [draft, setDraft] = useState(text);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setDraft(text), [text]);

  const apply = () => {
    try {
      const parsed = JSON.parse(draft) as WorkflowDefinition;
      if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.nodes)) {
        setError('A workflow definition is an object with "id", "nodes" and "edges".');
        return;
      }
      setError(null);
      onApply({ ...parsed, edges: Array.isArray(parsed.edges) ? parsed.edges : [] });
    } catch (e) {
      setError(`Not valid JSON: ${(e as Error).message}`);
    }
  };

  return (
    <div className="tf-json" data-testid="json-view">
      <textarea data-testid="json-text" spellCheck={false} value={draft} onChange={(e) => setDraft(e.target.value)} />
      {error && <p className="tf-field-error" data-testid="json-error">{error}</p>}
      <div className="tf-row">
        <button data-testid="json-apply" onClick={apply} disabled={draft === text}>Apply</button>
        <button onClick={() => { setDraft(text); setError(null); }} disabled={draft === text}>Revert</button>
      </div>
    </div>
  );
}
