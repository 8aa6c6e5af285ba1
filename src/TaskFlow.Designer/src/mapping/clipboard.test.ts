import { describe, expect, it } from 'vitest';
import { copySelection, pasteFragment } from './clipboard';
import type { ActivityNode, FlowEdge } from './graph';

const node = (id: string, selected: boolean): ActivityNode => ({
  id, type: 'activity', selected, position: { x: 10, y: 20 }, data: { definition: { id, type: 'log', inputs: { message: id } } },
});

//   log-1 ──> log-2 ──> other      (log-1 and log-2 selected)
const nodes = [node('log-1', true), node('log-2', true), node('other', false)];
const edges: FlowEdge[] = [
  { id: 'a', source: 'log-1', target: 'log-2', sourceHandle: 'done', type: 'flow', data: { label: 'x', definitionId: 'a' } },
  { id: 'b', source: 'log-2', target: 'other', sourceHandle: 'done', type: 'flow' },
];

describe('clipboard', () => {
  it('CopySelection_TakesSelectedNodesAndTheEdgesBetweenThem', () => {
    const fragment = copySelection(nodes, edges);

    expect(fragment.nodes.map((n) => n.id)).toEqual(['log-1', 'log-2']);
    expect(fragment.edges.map((e) => e.id)).toEqual(['a']);
  });

  it('Paste_GivesFreshIdsMovedAndRewiredEdges_WithoutTheDefinitionEdgeId', () => {
    const pasted = pasteFragment(copySelection(nodes, edges), new Set(nodes.map((n) => n.id)));

    expect(pasted.nodes.map((n) => n.id)).toEqual(['log-3', 'log-4']);
    expect(pasted.nodes.map((n) => n.data.definition.id)).toEqual(['log-3', 'log-4']);
    expect(pasted.nodes[0].position).toEqual({ x: 50, y: 60 });
    expect(pasted.edges).toHaveLength(1);
    expect(pasted.edges[0]).toMatchObject({ source: 'log-3', target: 'log-4', data: { label: 'x' } });
    expect(pasted.edges[0].data?.definitionId).toBeUndefined();
  });
});
