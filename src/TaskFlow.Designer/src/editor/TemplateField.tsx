import { lazy, Suspense, useContext, useEffect, useMemo, useState } from 'react';
import { templateProblems } from './templateLint';
import { TemplateScopeContext } from './TemplateScopeContext';

const CodeEditor = lazy(() => import('./CodeEditor'));

/** Starts loading the editor before a field needs it (the designer calls this once it is idle). */
export const preloadCodeEditor = () => void import('./CodeEditor');

interface TemplateFieldProps {
  label: string;
  value: string;
  testId: string;
  /** template: text with {{ }} placeholders; expression: a bare expression such as an edge condition. */
  mode?: 'template' | 'expression';
  multiline?: boolean;
  error?: string | null;
  hint?: string;
  /** Checks the text as it is typed; a message blocks the commit. */
  check?: (text: string) => string | null;
  onCommit: (text: string) => void;
}

/**
 * A labelled template or expression field in CodeMirror, with completion of what the workflow can
 * name and problems shown as they are typed; commits on blur or Enter like TextField. Until the
 * editor has loaded, a read-only box with the same test id holds its place.
 */
export default function TemplateField({ label, value, testId, mode = 'template', multiline, error, hint, check, onCommit }: TemplateFieldProps) {
  const scope = useContext(TemplateScopeContext);
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const local = check?.(text) ?? null;
  const lint = useMemo(() => (t: string) => templateProblems(t, scope, mode === 'expression'), [scope, mode]);
  const typed = useMemo(() => lint(text), [lint, text]);
  const shown = local ?? (text === value ? error : null) ?? typed[0]?.message ?? null;
  const commit = (t: string) => {
    if (t !== value && !(check?.(t) ?? null)) onCommit(t);
  };
  return (
    <div className="tf-field">
      <span className="tf-field-label">{label}</span>
      <Suspense fallback={<textarea className="tf-code-loading" data-testid={testId} value={text} rows={multiline ? 3 : 1} readOnly disabled />}>
        <CodeEditor value={text} testId={testId} mode={mode} multiline={Boolean(multiline)} scope={scope} invalid={Boolean(shown)} label={label}
          lint={lint} onChange={setText} onCommit={commit} />
      </Suspense>
      {hint && <span className="tf-field-hint">{hint}</span>}
      {shown && <span className="tf-field-error" data-testid={`${testId}-error`}>{shown}</span>}
    </div>
  );
}
