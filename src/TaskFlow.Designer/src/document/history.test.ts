import { describe, expect, it } from 'vitest';
import type { DesignerGraph } from '../mapping/graph';
import { emptyHistory, record, redo, undo } from './history';

const graph = (id: string): DesignerGraph => ({ meta: { id }, nodes: [], edges: [] });

describe('history', () => {
  it('UndoThenRedo_WalksBackAndForth', () => {
    const [a, b, c] = [graph('a'), graph('b'), graph('c')];
    const history = record(record(emptyHistory, a), b);

    const [afterUndo, previous] = undo(history, c)!;
    const [afterRedo, next] = redo(afterUndo, previous)!;

    expect(previous).toBe(b);
    expect(next).toBe(c);
    expect(afterRedo.past).toEqual([a, b]);
  });

  it('NewChange_ClearsRedo_AndNothingToUndo_IsNull', () => {
    const [afterUndo] = undo(record(emptyHistory, graph('a')), graph('b'))!;

    expect(record(afterUndo, graph('x')).future).toEqual([]);
    expect(undo(emptyHistory, graph('a'))).toBeNull();
    expect(redo(emptyHistory, graph('a'))).toBeNull();
  });
});
