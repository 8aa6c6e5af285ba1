import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import { listInstances } from '../api/endpoints';
import type { Instance, InstanceStatus } from '../api/types';

const statuses: InstanceStatus[] = ['Running', 'Succeeded', 'Failed', 'Cancelled'];

interface InstanceListProps {
  activeId: string | null;
  /** The definition open in the designer: the list shows its instances unless "all" is ticked. */
  definitionId: string | null;
  refreshKey: unknown;
  onOpen: (instance: Instance) => void;
}

/** Recent instances, newest first, of the open definition (or all), filtered by status. */
export default function InstanceList({ activeId, definitionId, refreshKey, onOpen }: InstanceListProps) {
  const [status, setStatus] = useState<InstanceStatus | ''>('');
  const [all, setAll] = useState(false);
  const [items, setItems] = useState<Instance[]>([]);
  const [error, setError] = useState<string | null>(null);
  const only = all ? null : definitionId;

  // Only the latest request's answer is shown: an earlier one (another filter) may arrive later.
  const latest = useRef(0);
  const load = useCallback(async () => {
    const request = ++latest.current;
    try {
      const page = await listInstances(status || undefined, only ?? undefined);
      if (request !== latest.current) return;
      setItems(page.items);
      setError(null);
    } catch (e) {
      if (request === latest.current) setError(errorMessage(e));
    }
  }, [status, only]);

  useEffect(() => {
    void load();
  }, [load, refreshKey]);

  return (
    <section className="tf-instances" data-testid="instances" data-definition={only ?? ''}>
      <div className="tf-row">
        <h3>Instances{only ? <> of <code>{only}</code></> : ''}</h3>
        <select data-testid="instances-filter" value={status} onChange={(e) => setStatus(e.target.value as InstanceStatus | '')}>
          <option value="">All</option>
          {statuses.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <button onClick={() => void load()} data-testid="instances-refresh">Refresh</button>
      </div>
      {definitionId && (
        <label className="tf-field tf-check">
          <input type="checkbox" data-testid="instances-all" checked={all} onChange={(e) => setAll(e.target.checked)} />
          <span>Every definition's instances</span>
        </label>
      )}
      {error && <p className="tf-field-error">{error}</p>}
      <ul>
        {items.map((i) => (
          <li key={i.id} className={i.id === activeId ? 'active' : ''}>
            <button className="tf-link" data-testid={`instance-${i.id}`} data-status={i.status} onClick={() => onOpen(i)}>
              <span className={`tf-state state-${i.status.toLowerCase()}`}>{i.status}</span> {i.definitionId} v{i.definitionVersion}
              <small> {new Date(i.createdAt).toLocaleTimeString()}</small>
            </button>
          </li>
        ))}
        {items.length === 0 && <li className="tf-hint">None.</li>}
      </ul>
    </section>
  );
}
