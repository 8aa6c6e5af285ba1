import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import { listApprovals } from '../api/endpoints';
import type { Approval } from '../api/types';
import ApprovalCard from './ApprovalCard';

interface PendingApprovalsProps {
  /** The open instance: only its approvals are listed. Every pending approval without one. */
  instanceId: string | null;
  /** Changes when the instance moved on, so the list is read again. */
  refreshKey: unknown;
  onDecided: (approval: Approval, decision: string) => void;
}

/** Approvals waiting for a decision, each with its form and decision buttons. */
export default function PendingApprovals({ instanceId, refreshKey, onDecided }: PendingApprovalsProps) {
  const [items, setItems] = useState<Approval[]>([]);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  const load = useCallback(async () => {
    const request = ++latest.current;
    try {
      const pending = await listApprovals(instanceId ?? undefined);
      if (request !== latest.current) return;
      setItems(pending);
      setError(null);
    } catch (e) {
      if (request === latest.current) setError(errorMessage(e));
    }
  }, [instanceId]);

  // Journal events come in bursts: read the list once they settle, not once per event.
  useEffect(() => {
    const timer = setTimeout(() => void load(), 250);
    return () => clearTimeout(timer);
  }, [load, refreshKey]);

  if (items.length === 0 && !error) return null;
  return (
    <section className="tf-approvals" data-testid="approvals">
      <div className="tf-row">
        <h3>Waiting for a decision ({items.length})</h3>
        <button onClick={() => void load()} data-testid="approvals-refresh">Refresh</button>
      </div>
      {error && <p className="tf-field-error">{error}</p>}
      {items.map((a) => (
        <ApprovalCard key={a.id} approval={a} onDecided={(approval, decision) => {
          setItems((current) => current.filter((x) => x.id !== approval.id));
          onDecided(approval, decision);
        }} />
      ))}
    </section>
  );
}
