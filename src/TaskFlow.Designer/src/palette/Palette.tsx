import { useMemo, useState } from 'react';
import type { ActivityDescriptor } from '../api/types';
import { groupByCategory } from './groupByCategory';
import PaletteItem from './PaletteItem';

/** The server's activity catalog by category; a new activity type shows up here with no designer change. */
export default function Palette({ activities }: { activities: readonly ActivityDescriptor[] }) {
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => {
    const text = filter.trim().toLowerCase();
    const shown = text ? activities.filter((a) => `${a.type} ${a.displayName} ${a.description}`.toLowerCase().includes(text)) : activities;
    return groupByCategory(shown);
  }, [activities, filter]);

  return (
    <aside className="tf-palette" data-testid="palette">
      <input className="tf-palette-filter" placeholder="Find an activity" value={filter} onChange={(e) => setFilter(e.target.value)} />
      {groups.map(([category, list]) => (
        <section key={category} data-testid={`palette-category-${category}`}>
          <h3>{category}</h3>
          <ul>{list.map((a) => <PaletteItem key={a.type} activity={a} />)}</ul>
        </section>
      ))}
      <p className="tf-hint">Fork: connect one node's port to several nodes. Join: a join node waits by its mode.</p>
    </aside>
  );
}
