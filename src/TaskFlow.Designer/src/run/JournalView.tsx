import { useMemo, useState } from 'react';
import type { JournalEvent } from '../api/types';
import { useVirtualRows } from './useVirtualRows';

interface JournalViewProps {
  events: readonly JournalEvent[];
  selectedNode: string | null;
  onSelectNode: (nodeId: string) => void;
}

const rowHeight = 22;
const failures = new Set(['NodeFailed', 'NodeRetried', 'LeaseReclaimed', 'InstanceFailed', 'NodeCancelled', 'InstanceCancelled']);
const nodeOf = (id: string) => id.replace(/\[\d+\]$/, '');

/** Every journal event of the instance, newest last, filtered by node, type and text; windowed for long journals. */
export default function JournalView({ events, selectedNode, onSelectNode }: JournalViewProps) {
  const [node, setNode] = useState('');
  const [type, setType] = useState('');
  const [text, setText] = useState('');
  const types = useMemo(() => [...new Set(events.map((e) => e.type))].sort(), [events]);
  const shown = useMemo(() => {
    const nodeText = node.trim().toLowerCase();
    const search = text.trim().toLowerCase();
    return events.filter((e) =>
      (!nodeText || (e.nodeId ?? '').toLowerCase().includes(nodeText))
      && (!type || (type === 'failures' ? failures.has(e.type) : e.type === type))
      && (!search || `${e.message ?? ''} ${e.worker ?? ''}`.toLowerCase().includes(search)));
  }, [events, node, type, text]);
  const view = useVirtualRows(shown.length, rowHeight);
  const start = events.length > 0 ? Date.parse(events[0].at) : 0;

  return (
    <div className="tf-journal" data-testid="journal" data-shown={shown.length}>
      <div className="tf-row">
        <input placeholder="Node" value={node} onChange={(e) => setNode(e.target.value)} data-testid="journal-filter-node" />
        <select value={type} onChange={(e) => setType(e.target.value)} data-testid="journal-filter-type">
          <option value="">Every event</option>
          <option value="failures">Failures, retries and cancels</option>
          {types.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
        <input placeholder="Text in the message" value={text} onChange={(e) => setText(e.target.value)} data-testid="journal-filter-text" />
        <span className="tf-hint">{shown.length} of {events.length}</span>
      </div>
      <div className="tf-journal-body" ref={view.ref} onScroll={view.onScroll}>
        <div style={{ height: view.totalHeight, position: 'relative' }}>
          {shown.slice(view.first, view.last).map((e, i) => (
            <div key={e.id} className={`tf-journal-row${failures.has(e.type) ? ' failure' : ''}${e.nodeId && nodeOf(e.nodeId) === selectedNode ? ' selected' : ''}`}
              style={{ top: (view.first + i) * rowHeight, height: rowHeight }} data-testid="journal-row" data-type={e.type} data-node={e.nodeId ?? ''}
              title={`${new Date(e.at).toISOString()}${e.worker ? ` · ${e.worker}` : ''}${e.message ? `\n${e.message}` : ''}`}>
              <span className="tf-journal-time">+{((Date.parse(e.at) - start) / 1000).toFixed(3)} s</span>
              <span className="tf-journal-type">{e.type}</span>
              {e.nodeId ? <button className="tf-link tf-journal-node" onClick={() => onSelectNode(nodeOf(e.nodeId!))}>{e.nodeId}</button> : <span className="tf-journal-node" />}
              <span className="tf-journal-attempt">{e.attempt > 0 ? `#${e.attempt}` : ''}</span>
              <span className="tf-journal-message">{e.message}</span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
