import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import schema from '../../../../docs/workflow.schema.json';
import type { ActivityDescriptor } from '../api/types';
import type { WorkflowDefinition } from '../mapping/definition';
import type { Problem } from '../mapping/problems';
import { completeJson, type Schema } from './jsonCompletion';
import { jsonProblems } from './jsonProblems';
import { serverProblemsInText } from './serverProblems';

const CodeEditor = lazy(() => import('../editor/CodeEditor'));

interface JsonViewProps {
  definition: WorkflowDefinition;
  activities: ReadonlyMap<string, ActivityDescriptor>;
  /** The server's validation problems of the last save or validation. */
  problems: readonly Problem[];
  onApply: (definition: WorkflowDefinition) => void;
}

/**
 * The definition as JSON in CodeMirror: completion of member names from the definition schema, of
 * activity types, node ids and a node's declared inputs; syntax errors underlined as typed and the
 * server's validation problems underlined where they point. Apply replaces the canvas with the
 * edited document (one undo step).
 */
export default function JsonView({ definition, activities, problems, onApply }: JsonViewProps) {
  const text = JSON.stringify(definition, null, 2);
  const [draft, setDraft] = useState(text);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setDraft(text), [text]);
  const typed = useMemo(() => jsonProblems(draft), [draft]);
  const nodeIds = useMemo(() => definition.nodes.map((n) => n.id), [definition]);
  const complete = useCallback(
    (value: string, pos: number) => completeJson(value, pos, { schema: schema as Schema, activities, nodeIds }),
    [activities, nodeIds],
  );
  const lint = useCallback((value: string) => {
    const syntax = jsonProblems(value);
    return syntax.length > 0 ? syntax : serverProblemsInText(value, problems);
  }, [problems]);

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
        <CodeEditor value={draft} testId="json-text" mode="json" multiline invalid={typed.length > 0} lint={lint} complete={complete} onChange={setDraft} />
      </Suspense>
      {(error ?? typed[0]) && <p className="tf-field-error" data-testid="json-error">{error ?? typed[0].message}</p>}
      <div className="tf-row">
        <button data-testid="json-apply" onClick={apply} disabled={draft === text}>Apply</button>
        <button onClick={() => { setDraft(text); setError(null); }} disabled={draft === text}>Revert</button>
      </div>
    </div>
  );
}
