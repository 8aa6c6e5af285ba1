import { addEdge, applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import { useCallback, useRef, useState } from 'react';
import { isBackConnection } from '../mapping/connectionRules';
import type { WorkflowDefinition } from '../mapping/definition';
import { autoLayout } from '../mapping/layout';
import type { ActivityNode, DesignerGraph, FlowEdge } from '../mapping/graph';
import { graphToDefinition } from '../mapping/toDefinition';
import { definitionToGraph } from '../mapping/toGraph';
import { emptyHistory, record, redo as redoStep, undo as undoStep, type History } from './history';

export const blankDefinition: WorkflowDefinition = { id: 'new-workflow', name: 'New workflow', nodes: [], edges: [] };

/** The definition being edited, as a canvas graph, with undo and redo. */
export function useDesignerDocument() {
  const [graph, setGraph] = useState<DesignerGraph>(() => definitionToGraph(blankDefinition));
  const [history, setHistory] = useState<History>(emptyHistory);
  const [dirty, setDirty] = useState(false);
  /** Counts loads and layouts, after which the canvas fits the view to the graph. */
  const [fitRequest, setFitRequest] = useState(0);
  const graphRef = useRef(graph);
  graphRef.current = graph;

  // React Flow reports one deletion as an edge change and a node change, one after the other:
  // changes in the same task are one undo step.
  const batching = useRef(false);

  /** A change the user can undo. */
  const commit = useCallback((change: (current: DesignerGraph) => DesignerGraph) => {
    const current = graphRef.current;
    const next = change(current);
    if (next === current) return;
    if (!batching.current) {
      batching.current = true;
      setTimeout(() => (batching.current = false), 0);
      setHistory((h) => record(h, current));
    }
    graphRef.current = next;
    setGraph(next);
    setDirty(true);
  }, []);

  /** Marks the current graph as an undo point before a change React Flow applies in several steps (a drag). */
  const checkpoint = useCallback(() => setHistory((h) => record(h, graphRef.current)), []);

  const load = useCallback((definition: WorkflowDefinition, options?: { keepHistory?: boolean; dirty?: boolean }) => {
    const { needsLayout, ...loaded } = definitionToGraph(definition);
    if (options?.keepHistory) setHistory((h) => record(h, graphRef.current));
    else setHistory(emptyHistory);
    graphRef.current = loaded;
    setGraph(loaded);
    setDirty(options?.dirty ?? false);
    setFitRequest((n) => n + 1);
    return needsLayout;
  }, []);

  const onNodesChange = useCallback((changes: NodeChange<ActivityNode>[]) => {
    const apply = (current: DesignerGraph) => ({ ...current, nodes: applyNodeChanges(changes, current.nodes) });
    if (changes.some((c) => c.type === 'remove' || c.type === 'add')) {
      commit((current) => {
        const next = apply(current);
        const ids = new Set(next.nodes.map((n) => n.id));
        return { ...next, edges: next.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) };
      });
    } else {
      const next = apply(graphRef.current);
      graphRef.current = next;
      setGraph(next);
      if (changes.some((c) => c.type === 'position' && !c.dragging)) setDirty(true);
    }
  }, [commit]);

  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => {
    if (changes.some((c) => c.type === 'remove' || c.type === 'add')) {
      commit((current) => {
        const ids = new Set(current.edges.map((e) => e.id));
        const real = changes.filter((c) => c.type !== 'remove' || ids.has(c.id));
        return real.length === 0 ? current : { ...current, edges: applyEdgeChanges(real, current.edges) };
      });
    } else {
      const next = { ...graphRef.current, edges: applyEdgeChanges(changes, graphRef.current.edges) };
      graphRef.current = next;
      setGraph(next);
    }
  }, [commit]);

  const onConnect = useCallback((connection: Connection) => {
    const port = connection.sourceHandle ?? 'done';
    commit((current) => ({
      ...current,
      edges: addEdge<FlowEdge>(
        {
          ...connection,
          id: `${connection.source}:${port}->${connection.target}`,
          type: 'flow',
          // A connection back to the node or one before it repeats that part: a loop edge.
          data: isBackConnection(connection, current.edges) ? { loop: true } : {},
        },
        current.edges,
      ),
    }));
  }, [commit]);

  /** Moves through the history one step (undo or redo), when there is a step to take. */
  const travel = useCallback((take: typeof undoStep) => {
    const step = take(history, graphRef.current);
    if (!step) return;
    setHistory(step[0]);
    graphRef.current = step[1];
    setGraph(step[1]);
    setDirty(true);
  }, [history]);

  const undo = useCallback(() => travel(undoStep), [travel]);
  const redo = useCallback(() => travel(redoStep), [travel]);

  /** Positions every node with elkjs; an undo step unless it only finishes a load. */
  const layout = useCallback(async (undoable = true) => {
    const before = graphRef.current;
    const positions = await autoLayout(before.nodes, before.edges);
    const place = (current: DesignerGraph) => ({ ...current, nodes: current.nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })) });
    if (undoable) {
      commit(place);
    } else if (graphRef.current === before) {
      graphRef.current = place(before);
      setGraph(graphRef.current);
    }
    setFitRequest((n) => n + 1);
  }, [commit]);

  const toDefinition = useCallback(() => {
    const g = graphRef.current;
    return graphToDefinition(g.meta, g.nodes, g.edges);
  }, []);

  return {
    graph, dirty, setDirty, fitRequest, commit, checkpoint, load, layout, onNodesChange, onEdgesChange, onConnect, undo, redo, toDefinition,
    canUndo: history.past.length > 0, canRedo: history.future.length > 0,
  };
}

export type DesignerDocument = ReturnType<typeof useDesignerDocument>;
