import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from './definition';
import { conditionText, type ActivityNode, type FlowEdge } from './graph';
import { definitionToGraph } from './toGraph';
import { graphToDefinition } from './toDefinition';

//   start ──> a ──┐
//        └──> b ──┴─> join(WaitAny) ──> end
const forkJoin: WorkflowDefinition = {
  id: 'fork-join',
  name: 'Fork and join',
  inputs: { text: { type: 'string', default: 'x' } },
  variables: { limit: 3 },
  output: '{{ nodes.end.output }}',
  nodes: [
    { id: 'start', type: 'noop', name: 'Fork', layout: { x: 0, y: 100 } },
    { id: 'a', type: 'transform', inputs: { value: '{{ input.text }}' }, layout: { x: 250, y: 0 } },
    { id: 'b', type: 'transform', inputs: { value: { nested: [1, 2] } }, retry: { maxAttempts: 3 }, timeout: '30s', layout: { x: 250, y: 200, collapsed: true } },
    { id: 'join', type: 'join', inputs: { mode: 'WaitAny' }, layout: { x: 500, y: 100 } },
    { id: 'end', type: 'log', inputs: { message: 'done' }, tier: 2, layout: { x: 750, y: 100 } },
  ],
  edges: [
    { from: 'start', to: 'a' },
    { from: 'start', to: 'b' },
    { from: 'a', to: 'join' },
    { id: 'b-join', from: 'b', to: 'join', toPort: 'in' },
    { from: 'join', to: 'end' },
  ],
};

//   check ──[amount <= limit]──> approve
//        └──[amount > limit]───> review
const conditional: WorkflowDefinition = {
  id: 'conditional',
  nodes: [
    { id: 'check', type: 'noop' },
    { id: 'approve', type: 'transform', inputs: { value: 1 } },
    { id: 'review', type: 'transform', inputs: { value: 2 } },
  ],
  edges: [
    { from: 'check', to: 'approve', condition: 'input.amount <= vars.limit', label: 'amount <= limit' },
    { from: 'check', to: 'review', condition: '{{ input.amount > vars.limit }}' },
  ],
};

function roundTrip(definition: WorkflowDefinition): WorkflowDefinition {
  const graph = definitionToGraph(definition);
  return graphToDefinition(graph.meta, graph.nodes, graph.edges);
}

describe('definitionToGraph', () => {
  it('ForkJoin_EveryNodeAndEdge_BecomesCanvasNodesAndEdges', () => {
    const graph = definitionToGraph(forkJoin);

    expect(graph.nodes.map((n) => n.id)).toEqual(['start', 'a', 'b', 'join', 'end']);
    expect(graph.nodes.every((n) => n.type === 'activity')).toBe(true);
    expect(graph.edges.map((e) => `${e.source}->${e.target}`)).toEqual(['start->a', 'start->b', 'a->join', 'b->join', 'join->end']);
    expect(graph.edges.every((e) => e.sourceHandle === 'done' && e.targetHandle === 'in')).toBe(true);
    expect(graph.needsLayout).toBe(false);
  });

  it('StoredLayout_BecomesPosition', () => {
    const graph = definitionToGraph(forkJoin);

    expect(graph.nodes.find((n) => n.id === 'b')!.position).toEqual({ x: 250, y: 200 });
    expect(graph.nodes.find((n) => n.id === 'b')!.data.layoutExtra).toEqual({ collapsed: true });
  });

  it('JoinMode_IsKeptInTheNodeInputs', () => {
    const graph = definitionToGraph(forkJoin);

    expect(graph.nodes.find((n) => n.id === 'join')!.data.definition.inputs).toEqual({ mode: 'WaitAny' });
  });

  it('ConditionalEdges_KeepConditionAndLabel', () => {
    const graph = definitionToGraph(conditional);

    expect(graph.edges[0].data).toEqual({ condition: 'input.amount <= vars.limit', label: 'amount <= limit' });
    expect(graph.edges[1].data).toEqual({ condition: '{{ input.amount > vars.limit }}' });
  });

  it('NoLayout_PlacesNodesByDepth_AndAsksForLayout', () => {
    const graph = definitionToGraph(conditional);

    expect(graph.needsLayout).toBe(true);
    const x = Object.fromEntries(graph.nodes.map((n) => [n.id, n.position.x]));
    expect(x.check).toBeLessThan(x.approve);
    expect(x.approve).toBe(x.review);
    const y = graph.nodes.filter((n) => n.id !== 'check').map((n) => n.position.y);
    expect(new Set(y).size).toBe(2);
  });

  it('DuplicateEdges_GetDistinctCanvasIds', () => {
    const graph = definitionToGraph({ id: 'd', nodes: [{ id: 'a', type: 'noop' }, { id: 'b', type: 'noop' }], edges: [{ from: 'a', to: 'b' }, { from: 'a', to: 'b' }] });

    expect(new Set(graph.edges.map((e) => e.id)).size).toBe(2);
  });
});

describe('graphToDefinition', () => {
  it('RoundTrip_ForkJoin_IsTheSameDocument', () => {
    expect(roundTrip(forkJoin)).toEqual(forkJoin);
  });

  it('RoundTrip_ConditionalEdges_KeepsLabelsAndConditions_AddsLayout', () => {
    const back = roundTrip(conditional);

    expect(back.edges).toEqual(conditional.edges);
    expect(back.nodes.map(({ layout, ...rest }) => rest)).toEqual(conditional.nodes);
    expect(back.nodes.every((n) => typeof n.layout?.x === 'number' && typeof n.layout?.y === 'number')).toBe(true);
  });

  it('RoundTrip_LoopEdge_KeepsLoopAndMaxIterations_AndDoesNotPushItsTargetDown', () => {
    //   a ──> b ──> c, and c ──[loop]──> b
    const definition: WorkflowDefinition = {
      id: 'loop',
      nodes: [{ id: 'a', type: 'noop' }, { id: 'b', type: 'noop' }, { id: 'c', type: 'noop' }],
      edges: [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'b', condition: 'vars.n < 3', loop: true, maxIterations: 5 }],
    };

    const graph = definitionToGraph(definition);

    expect(graph.edges[2].data).toEqual({ condition: 'vars.n < 3', loop: true, maxIterations: 5 });
    expect(graph.nodes.map((n) => n.position.y)).toEqual([...graph.nodes.map((n) => n.position.y)].sort((x, y) => x - y));
    expect(roundTrip(definition).edges).toEqual(definition.edges);
  });

  it('RoundTrip_JavaScriptCondition_IsKeptAsAnObject', () => {
    //   a ──[js: getVariable('amount') > 1000]──> b
    const definition: WorkflowDefinition = {
      id: 'js',
      nodes: [{ id: 'a', type: 'noop' }, { id: 'b', type: 'noop' }],
      edges: [{ from: 'a', to: 'b', condition: { js: "getVariable('amount') > 1000" } }],
    };

    const graph = definitionToGraph(definition);

    expect(conditionText(graph.edges[0].data?.condition)).toBe("getVariable('amount') > 1000");
    expect(roundTrip(definition).edges).toEqual(definition.edges);
  });

  it('MovedNode_PositionBecomesRoundedLayout', () => {
    const graph = definitionToGraph(forkJoin);
    const moved = graph.nodes.map((n) => (n.id === 'a' ? { ...n, position: { x: 301.6, y: -20.2 } } : n));

    const definition = graphToDefinition(graph.meta, moved, graph.edges);

    expect(definition.nodes.find((n) => n.id === 'a')!.layout).toEqual({ x: 302, y: -20 });
  });

  it('CanvasGraph_BecomesDefinition_WithPortsJoinModeAndConditions', () => {
    const nodes: ActivityNode[] = [
      { id: 'fork', type: 'activity', position: { x: 0, y: 0 }, data: { definition: { id: 'fork', type: 'noop' } } },
      { id: 'left', type: 'activity', position: { x: 200, y: -50 }, data: { definition: { id: 'left', type: 'transform', inputs: { value: 'l' } } } },
      { id: 'right', type: 'activity', position: { x: 200, y: 50 }, data: { definition: { id: 'right', type: 'transform', inputs: { value: 'r' } } } },
      { id: 'join', type: 'activity', position: { x: 400, y: 0 }, data: { definition: { id: 'join', type: 'join', inputs: { mode: 'WaitAllActive' } } } },
    ];
    const edges: FlowEdge[] = [
      { id: 'e1', source: 'fork', target: 'left', sourceHandle: 'done', targetHandle: 'in', type: 'flow', data: {} },
      { id: 'e2', source: 'fork', target: 'right', sourceHandle: 'done', targetHandle: 'in', type: 'flow', data: { condition: 'input.go', label: 'go' } },
      { id: 'e3', source: 'left', target: 'join', sourceHandle: 'failed', targetHandle: 'in', type: 'flow' },
      { id: 'e4', source: 'right', target: 'join', sourceHandle: null, targetHandle: 'in', type: 'flow' },
    ];

    const definition = graphToDefinition({ id: 'built', name: 'Built' }, nodes, edges);

    expect(definition).toEqual({
      id: 'built',
      name: 'Built',
      nodes: [
        { id: 'fork', type: 'noop', layout: { x: 0, y: 0 } },
        { id: 'left', type: 'transform', inputs: { value: 'l' }, layout: { x: 200, y: -50 } },
        { id: 'right', type: 'transform', inputs: { value: 'r' }, layout: { x: 200, y: 50 } },
        { id: 'join', type: 'join', inputs: { mode: 'WaitAllActive' }, layout: { x: 400, y: 0 } },
      ],
      edges: [
        { from: 'fork', to: 'left' },
        { from: 'fork', to: 'right', condition: 'input.go', label: 'go' },
        { from: 'left', to: 'join', fromPort: 'failed' },
        { from: 'right', to: 'join' },
      ],
    });
  });

  it('GraphToDefinitionToGraph_KeepsPositionsAndEdges', () => {
    const first = definitionToGraph(forkJoin);
    const again = definitionToGraph(graphToDefinition(first.meta, first.nodes, first.edges));

    expect(again.nodes.map((n) => [n.id, n.position])).toEqual(first.nodes.map((n) => [n.id, n.position]));
    expect(again.edges).toEqual(first.edges);
  });
});
