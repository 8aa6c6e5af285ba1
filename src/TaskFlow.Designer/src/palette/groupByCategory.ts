import type { ActivityDescriptor } from '../api/types';

/** Activities by category, categories and activities in name order. */
export function groupByCategory(activities: readonly ActivityDescriptor[]): [string, ActivityDescriptor[]][] {
  const groups = new Map<string, ActivityDescriptor[]>();
  for (const activity of activities) {
    const list = groups.get(activity.category);
    if (list) list.push(activity);
    else groups.set(activity.category, [activity]);
  }
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, list]) => [category, [...list].sort((a, b) => a.displayName.localeCompare(b.displayName))]);
}
