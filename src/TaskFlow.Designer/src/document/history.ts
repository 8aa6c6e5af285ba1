import type { DesignerGraph } from '../mapping/graph';

/** Undo and redo stacks of whole-graph snapshots (graphs are immutable values, so a snapshot is a reference). */
export interface History {
  past: DesignerGraph[];
  future: DesignerGraph[];
}

const limit = 100;

export const emptyHistory: History = { past: [], future: [] };

export function record(history: History, current: DesignerGraph): History {
  return { past: [...history.past.slice(-(limit - 1)), current], future: [] };
}

export function undo(history: History, current: DesignerGraph): [History, DesignerGraph] | null {
  const previous = history.past.at(-1);
  if (!previous) return null;
  return [{ past: history.past.slice(0, -1), future: [current, ...history.future] }, previous];
}

export function redo(history: History, current: DesignerGraph): [History, DesignerGraph] | null {
  const next = history.future[0];
  if (!next) return null;
  return [{ past: [...history.past, current], future: history.future.slice(1) }, next];
}
