import { useMemo, useState } from 'react';
import { errorMessage } from '../api/client';
import { decideApproval } from '../api/endpoints';
import type { Approval } from '../api/types';
import type { JsonObject } from '../mapping/definition';
import { toInputSchema } from '../properties/jsonSchema';
import SchemaForm from '../properties/SchemaForm';
import TextField from '../properties/TextField';

interface ApprovalCardProps {
  approval: Approval;
  onDecided: (approval: Approval, decision: string) => void;
}

const people = (value: unknown) => (Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : '');

/** One pending approval: what is asked, its form, a comment and a button per option. */
export default function ApprovalCard({ approval, onDecided }: ApprovalCardProps) {
  const [form, setForm] = useState<JsonObject>({});
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const schema = useMemo(() => toInputSchema(approval.form), [approval.form]);
  const hasForm = Object.keys(schema.properties).length > 0;
  const assigned = [people(approval.assignees), approval.group ? `group ${approval.group}` : ''].filter(Boolean).join('; ');

  const decide = async (decision: string) => {
    setBusy(true);
    setError(null);
    try {
      await decideApproval(approval.id, decision, comment, hasForm ? form : undefined);
      onDecided(approval, decision);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="tf-approval" data-testid={`approval-${approval.id}`} data-node={approval.nodeId}>
      <h4>{approval.title ?? approval.nodeId}</h4>
      {approval.description && <p>{approval.description}</p>}
      <p className="tf-hint">
        Node <code>{approval.nodeId}</code> of <code>{approval.instanceId.slice(0, 8)}</code>, waiting since {new Date(approval.since).toLocaleTimeString()}
        {assigned && <> · for {assigned}</>}
        {approval.timeoutAt && <> · decided by {approval.defaultOutcome ?? 'timeout'} at {new Date(approval.timeoutAt).toLocaleString()}</>}
      </p>
      {hasForm && <SchemaForm nodeId={approval.id} schema={schema} inputs={form} onChange={setForm} testIdPrefix="approval-form-" />}
      <TextField label="Comment" testId="approval-comment" value={comment} onCommit={setComment} />
      <div className="tf-row">
        {approval.options.map((option) => (
          <button key={option} disabled={busy} data-testid={`approval-decide-${option}`} onClick={() => void decide(option)}>{option}</button>
        ))}
      </div>
      {error && <p className="tf-field-error" data-testid="approval-error">{error}</p>}
    </article>
  );
}
