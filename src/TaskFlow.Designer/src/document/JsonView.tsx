import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { WorkflowDefinition } from '../mapping/definition';
import { jsonProblems } from './jsonProblems';

const CodeEditor = lazy(() => import('../editor/CodeEditor'));

interface JsonViewProps {
  definition: WorkflowDefinition;
  onApply: (definition: WorkflowDefinition) => void;
}

/** The definition as JSON in CodeMirror, syntax errors underlined as typed: Apply replaces the canvas with the edited document (one undo step). */
export default function JsonView({ definition, onApply }: JsonViewProps) {
  const text = JSON.stringify(definition, null, 2);
  const [draft, setDraft] = useState(text);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setDraft(text), [text]);
  const typed = useMemo(() => jsonProblems(draft), [draft]);

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
      <Suspense fallback={<textarea data-testid="json-text" value={draft} readOnly disabled />}>
        <CodeEditor value={draft} testId="json-text" mode="json" multiline invalid={typed.length > 0} lint={jsonProblems} onChange={setDraft} />
      </Suspense>
      {(error ?? typed[0]) && <p className="tf-field-error" data-testid="json-error">{error ?? typed[0].message}</p>}
      <div className="tf-row">
        <button data-testid="json-apply" onClick={apply} disabled={draft === text}>Apply</button>
        <button onClick={() => { setDraft(text); setError(null); }} disabled={draft === text}>Revert</button>
      </div>
    </div>
  );
}
