import { useEffect, useState } from 'react';

interface TextFieldProps {
  label: string;
  value: string;
  testId: string;
  multiline?: boolean;
  error?: string | null;
  hint?: string;
  /** Checks the text as it is typed; a message blocks the commit. */
  check?: (text: string) => string | null;
  onCommit: (text: string) => void;
}

/** A labelled text box that commits on blur or Enter (one undo step per edit, not per key), with its problem shown inline. */
export default function TextField({ label, value, testId, multiline, error, hint, check, onCommit }: TextFieldProps) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const local = check?.(text) ?? null;
  const commit = () => {
    if (text !== value && !local) onCommit(text);
  };
  const shown = local ?? (text === value ? error : null);
  const props = {
    value: text,
    'data-testid': testId,
    'aria-invalid': Boolean(shown),
    onChange: (e: { target: { value: string } }) => setText(e.target.value),
    onBlur: commit,
  };
  return (
    <label className="tf-field">
      <span className="tf-field-label">{label}</span>
      {multiline
        ? <textarea rows={Math.min(8, Math.max(2, text.split('\n').length))} {...props} />
        : <input {...props} onKeyDown={(e) => e.key === 'Enter' && commit()} />}
      {hint && <span className="tf-field-hint">{hint}</span>}
      {shown && <span className="tf-field-error" data-testid={`${testId}-error`}>{shown}</span>}
    </label>
  );
}
