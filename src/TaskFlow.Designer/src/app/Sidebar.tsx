import type { ReactNode } from 'react';
import { preloadCodeEditor } from '../editor/TemplateField';

export type Tab = 'properties' | 'json' | 'run' | 'decompose' | 'agents';

const tabs: [Tab, string][] = [['properties', 'Properties'], ['json', 'JSON'], ['run', 'Run'], ['decompose', 'Decompose'], ['agents', 'Agents']];

/** The right-hand panel and its tabs. */
export default function Sidebar({ tab, onTab, children }: { tab: Tab; onTab: (tab: Tab) => void; children: ReactNode }) {
  return (
    // The code editor is split out of the first load (a large definition draws sooner without it);
    // it is fetched when the pointer comes to the panel whose fields use it.
    <aside className="tf-sidebar" onPointerEnter={preloadCodeEditor}>
      <nav className="tf-tabs">
        {tabs.map(([id, label]) => (
          <button key={id} className={tab === id ? 'active' : ''} data-testid={`tab-${id}`} onClick={() => onTab(id)}>{label}</button>
        ))}
      </nav>
      <div className="tf-sidebar-body">{children}</div>
    </aside>
  );
}
