import { defaultPort } from './definition';

export interface ConnectionAttempt {
  source: string | null;
  target: string | null;
  sourceHandle?: string | null;
}

export interface GraphEdgeShape {
  source: string;
  target: string;
  sourceHandle?: string | null;
  data?: { loop?: boolean };
}

/**
 * Why a connection cannot be made, or null when it can. Refused: an edge that already exists,
 * and a second edge from an activity's own outcome port: only the default port forks into
 * parallel branches, the others are exclusive routes. An edge back to the node itself or to a
 * node before it is allowed: it becomes a loop edge (see {@link isBackConnection}).
 */
export function connectionProblem(attempt: ConnectionAttempt, edges: readonly GraphEdgeShape[]): string | null {
  const { source, target } = attempt;
  const port = attempt.sourceHandle ?? defaultPort;
  if (!source || !target) return 'Connect an outcome port to a node.';
  if (edges.some((e) => e.source === source && e.target === target && (e.sourceHandle ?? defaultPort) === port)) {
    return `'${source}' is already connected to '${target}' from port '${port}'.`;
  }
  if (port !== defaultPort && edges.some((e) => e.source === source && (e.sourceHandle ?? defaultPort) === port)) {
    return `Port '${port}' of '${source}' is already used; only '${defaultPort}' can fork into several branches.`;
  }
  return null;
}

/** True when the connection goes back (to its source, or to a node before it): it is made a loop edge. */
export function isBackConnection(attempt: ConnectionAttempt, edges: readonly GraphEdgeShape[]): boolean {
  return Boolean(attempt.source && attempt.target) && (attempt.source === attempt.target || reaches(attempt.target!, attempt.source!, edges));
}

function reaches(from: string, to: string, edges: readonly GraphEdgeShape[]): boolean {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.data?.loop) continue;
    const list = next.get(edge.source);
    if (list) list.push(edge.target);
    else next.set(edge.source, [edge.target]);
  }
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) return true;
    for (const n of next.get(id) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return false;
}
