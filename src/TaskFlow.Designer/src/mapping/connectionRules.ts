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
}

/**
 * Why a connection cannot be made, or null when it can. Refused: a self-loop, an edge that
 * already exists, an edge back into an ancestor (into a start node, or any cycle, which the
 * engine would reject on save), and a second edge from an activity's own outcome port: only the
 * default port forks into parallel branches, the others are exclusive routes.
 */
export function connectionProblem(attempt: ConnectionAttempt, edges: readonly GraphEdgeShape[]): string | null {
  const { source, target } = attempt;
  const port = attempt.sourceHandle ?? defaultPort;
  if (!source || !target) return 'Connect an outcome port to a node.';
  if (source === target) return `A node cannot connect to itself ('${source}').`;
  if (edges.some((e) => e.source === source && e.target === target && (e.sourceHandle ?? defaultPort) === port)) {
    return `'${source}' is already connected to '${target}' from port '${port}'.`;
  }
  if (port !== defaultPort && edges.some((e) => e.source === source && (e.sourceHandle ?? defaultPort) === port)) {
    return `Port '${port}' of '${source}' is already used; only '${defaultPort}' can fork into several branches.`;
  }
  if (reaches(target, source, edges)) {
    const start = !edges.some((e) => e.target === target);
    return start
      ? `'${target}' is a start node; an edge into it would make a cycle.`
      : `An edge from '${source}' to '${target}' would make a cycle.`;
  }
  return null;
}

function reaches(from: string, to: string, edges: readonly GraphEdgeShape[]): boolean {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
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
