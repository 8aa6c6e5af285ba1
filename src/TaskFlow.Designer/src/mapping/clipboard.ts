import type { ActivityNode, FlowEdge } from './graph';
import { newNodeId } from './nodeIds';

export interface Fragment {
  nodes: ActivityNode[];
  edges: FlowEdge[];
}

/** The selected nodes and the edges between them. */
export function copySelection(nodes: readonly ActivityNode[], edges: readonly FlowEdge[]): Fragment {
  const picked = nodes.filter((n) => n.selected);
  const ids = new Set(picked.map((n) => n.id));
  return {
    nodes: structuredClone(picked),
    edges: structuredClone(edges.filter((e) => ids.has(e.source) && ids.has(e.target))),
  };
}

/** A copy of a fragment with fresh ids, moved by offset, selected; ready to add to the graph. */
export function pasteFragment(fragment: Fragment, taken: ReadonlySet<string>, offset = 40): Fragment {
  const used = new Set(taken);
  const renamed = new Map<string, string>();
  const nodes = fragment.nodes.map((node) => {
    const id = newNodeId(node.id.replace(/-\d+$/, ''), used);
    used.add(id);
    renamed.set(node.id, id);
    return {
      ...structuredClone(node),
      id,
      selected: true,
      position: { x: node.position.x + offset, y: node.position.y + offset },
      data: { ...structuredClone(node.data), definition: { ...structuredClone(node.data.definition), id } },
    };
  });
  const edges = fragment.edges.map((edge) => {
    const source = renamed.get(edge.source)!;
    const target = renamed.get(edge.target)!;
    const data = { ...(edge.data ?? {}) };
    delete data.definitionId;
    return { ...structuredClone(edge), id: `${source}:${edge.sourceHandle ?? 'done'}->${target}`, source, target, selected: false, data };
  });
  return { nodes, edges };
}
