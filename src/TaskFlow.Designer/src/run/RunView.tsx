import { lazy, Suspense, useState } from 'react';
import type { JournalEvent } from '../api/types';

const Timeline = lazy(() => import('./Timeline'));
const JournalView = lazy(() => import('./JournalView'));

interface RunViewProps {
  events: readonly JournalEvent[];
  nodeTypes: ReadonlyMap<string, string>;
  selectedNode: string | null;
  onSelectNode: (nodeId: string) => void;
}

type View = 'timeline' | 'journal' | 'hidden';

/** Under the canvas while an instance is open: its timeline or its journal, both live. */
export default function RunView(props: RunViewProps) {
  const [view, setView] = useState<View>('timeline');
  return (
    <section className={`tf-run-view${view === 'hidden' ? ' hidden' : ''}`} data-testid="run-view">
      <nav className="tf-run-view-tabs">
        <button className={view === 'timeline' ? 'active' : ''} onClick={() => setView('timeline')} data-testid="run-view-timeline">Timeline</button>
        <button className={view === 'journal' ? 'active' : ''} onClick={() => setView('journal')} data-testid="run-view-journal">Journal ({props.events.length})</button>
        <button onClick={() => setView(view === 'hidden' ? 'timeline' : 'hidden')} data-testid="run-view-toggle">{view === 'hidden' ? 'Show' : 'Hide'}</button>
      </nav>
      <Suspense fallback={<p className="tf-hint">Loading…</p>}>
        {view === 'timeline' && <Timeline events={props.events} nodeTypes={props.nodeTypes} selectedNode={props.selectedNode} onSelectNode={props.onSelectNode} />}
        {view === 'journal' && <JournalView events={props.events} selectedNode={props.selectedNode} onSelectNode={props.onSelectNode} />}
      </Suspense>
    </section>
  );
}
