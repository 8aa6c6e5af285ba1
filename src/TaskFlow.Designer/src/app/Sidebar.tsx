import type { ReactNode } from 'react';

export type Tab = 'properties' | 'json' | 'run' | 'decompose';

const tabs: [Tab, string][] = [['properties', 'Properties'], ['json', 'JSON'], ['run', 'Run'], ['decompose', 'Decompose']];

/** The right-hand panel and its tabs. */
export default function Sidebar({ tab, onTab, children }: { tab: Tab; onTab: (tab: Tab) => void; children: ReactNode }) {
  return (
    <aside className="tf-sidebar">
      <nav className="tf-tabs">
        {tabs.map(([id, label]) => (
          <button key={id} className={tab === id ? 'active' : ''} data-testid={`tab-${id}`} onClick={() => onTab(id)}>{label}</button>
        ))}
      </nav>
      <div className="tf-sidebar-body">{children}</div>
    </aside>
  );
}
