import type { ELK } from 'elkjs/lib/elk-api';
import type { ActivityNode, FlowEdge } from './graph';

let elk: Promise<ELK> | null = null;

/**
 * elkjs in a web worker, so that laying out a large graph does not freeze the page; it is loaded
 * on the first layout, not with the page, since it is large.
 */
function layoutEngine(): Promise<ELK> {
  elk ??= Promise.all([import('elkjs/lib/elk-api.js'), import('elkjs/lib/elk-worker.min.js?worker')])
    .then(([{ default: Engine }, { default: LayoutWorker }]) => new Engine({ workerFactory: () => new LayoutWorker() }));
  return elk;
}

export const defaultNodeSize = { width: 190, height: 64 };

/** Positions from elkjs's layered layout, left to right, for every node. */
export async function autoLayout(nodes: readonly ActivityNode[], edges: readonly FlowEdge[]): Promise<Map<string, { x: number; y: number }>> {
  const result = await (await layoutEngine()).layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '30',
    },
    children: nodes.map((n) => ({
      id: n.id,
      width: n.measured?.width ?? defaultNodeSize.width,
      height: n.measured?.height ?? defaultNodeSize.height,
    })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const positions = new Map<string, { x: number; y: number }>();
  for (const child of result.children ?? []) {
    positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  }
  return positions;
}
