import { useEffect, useMemo, useState } from 'react';
import type { JournalEvent } from '../api/types';
import { buildTimeline, type Segment, type TimelineRow } from './timeline';
import { useVirtualRows } from './useVirtualRows';

interface TimelineProps {
  events: readonly JournalEvent[];
  nodeTypes: ReadonlyMap<string, string>;
  selectedNode: string | null;
  onSelectNode: (nodeId: string) => void;
}

const rowHeight = 22;
const labelWidth = 170;

const kindNames: Record<Segment['kind'], string> = {
  queued: 'queued', backoff: 'retry backoff', running: 'running', timer: 'timer', event: 'waiting for an event',
  approval: 'waiting for approval', agent: 'waiting for an agent', items: 'running its items', child: 'waiting for a child workflow', waiting: 'waiting',
};

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * The instance as a Gantt chart: a row per node and per foreach item, a bar per stretch of each
 * attempt, running apart from waiting (queue, backoff, timer, event, approval), failures marked.
 * Clicking a bar selects its node. Rows are windowed, so thousands of them stay fast.
 */
export default function Timeline({ events, nodeTypes, selectedNode, onSelectNode }: TimelineProps) {
  const timeline = useMemo(() => buildTimeline(events, nodeTypes), [events, nodeTypes]);
  const { rows, start } = timeline;
  // While the instance runs, open bars grow with the clock.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (timeline.end !== null || start === null) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [timeline.end, start]);

  // The browser's clock may trail the server's: a running instance ends no earlier than its last event.
  const last = events.length > 0 ? Date.parse(events[events.length - 1].at) : now;
  const end = timeline.end ?? Math.max(now, last);
  const span = Math.max(1, end - (start ?? end));
  const view = useVirtualRows(rows.length, rowHeight);
  const chartWidth = Math.max(100, view.width - labelWidth - 16);
  const x = (t: number) => ((t - (start ?? t)) / span) * chartWidth;

  const selectedIndex = rows.findIndex((r) => r.id === selectedNode);
  const { reveal } = view;
  useEffect(() => reveal(selectedIndex), [reveal, selectedIndex]);

  if (rows.length === 0) return <p className="tf-hint" data-testid="timeline-empty">No node has started yet.</p>;
  return (
    <div className="tf-timeline" data-testid="timeline" data-rows={rows.length}>
      <div className="tf-timeline-axis" style={{ marginLeft: labelWidth }}>
        <span>0</span><span>{duration(span / 2)}</span><span>{duration(span)}</span>
      </div>
      <div className="tf-timeline-body" ref={view.ref} onScroll={view.onScroll}>
        <div style={{ height: view.totalHeight, position: 'relative' }}>
          {rows.slice(view.first, view.last).map((row, i) => (
            <Row key={row.id} row={row} top={(view.first + i) * rowHeight} x={x} now={end} selected={row.id === selectedNode || row.nodeId === selectedNode} onSelect={onSelectNode} />
          ))}
        </div>
      </div>
      <div className="tf-timeline-legend">
        <span className="tf-bar kind-running" /> running <span className="tf-bar kind-queued" /> queued <span className="tf-bar kind-backoff" /> retry backoff
        <span className="tf-bar kind-timer" /> timer <span className="tf-bar kind-event" /> event <span className="tf-bar kind-approval" /> approval
        <span className="tf-bar kind-running failed" /> failed
      </div>
    </div>
  );
}

interface RowProps {
  row: TimelineRow;
  top: number;
  x: (t: number) => number;
  now: number;
  selected: boolean;
  onSelect: (nodeId: string) => void;
}

function Row({ row, top, x, now, selected, onSelect }: RowProps) {
  return (
    <div className={`tf-timeline-row${selected ? ' selected' : ''}${row.item !== null ? ' item' : ''}`} style={{ top, height: rowHeight }}
      data-testid={`timeline-row-${row.id}`} data-status={row.status}>
      <button className="tf-link tf-timeline-label" style={{ width: labelWidth }} onClick={() => onSelect(row.nodeId)} title={row.id}>
        {row.item !== null ? `  [${row.item}]` : row.id}
      </button>
      <div className="tf-timeline-track">
        {row.segments.map((s, i) => {
          const left = x(s.start);
          const width = Math.max(2, x(s.end ?? now) - left);
          const title = `${row.id} · attempt ${s.attempt} · ${kindNames[s.kind]} · ${duration((s.end ?? now) - s.start)}${s.failed ? ' · failed' : ''}${s.message ? `\n${s.message}` : ''}`;
          return (
            <div key={i} className={`tf-bar kind-${s.kind}${s.failed ? ' failed' : ''}${s.end === null ? ' open' : ''}`} style={{ left, width }} title={title}
              data-testid={`bar-${row.id}-${i}`} data-kind={s.kind} data-attempt={s.attempt} data-failed={s.failed}
              onClick={() => onSelect(row.nodeId)} />
          );
        })}
      </div>
    </div>
  );
}
