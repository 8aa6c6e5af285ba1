/** A problem as the API lists it: validation problems are objects, other lists are plain text. */
export interface Problem {
  code?: string;
  target?: string;
  message: string;
}

const nodeTarget = /^node '([^']+)'/;
const edgeTarget = /^edge '([^']+)->([^']+)'/;

/** The node a problem is about: its own node, or for an edge, the edge's source node. */
export function problemNodeId(problem: Problem, nodeIds: ReadonlySet<string>): string | null {
  const target = problem.target ?? '';
  const node = nodeTarget.exec(target);
  if (node && nodeIds.has(node[1])) return node[1];
  const edge = edgeTarget.exec(target);
  if (edge) {
    if (nodeIds.has(edge[1])) return edge[1];
    if (nodeIds.has(edge[2])) return edge[2];
  }
  const path = /^\$\.nodes\[(\d+)\]/.exec(target);
  if (path) return [...nodeIds][Number(path[1])] ?? null;
  return null;
}

/** Problems grouped by node id; those about no node are under the empty string. */
export function problemsByNode(problems: readonly Problem[], nodeIds: readonly string[]): Map<string, Problem[]> {
  const ids = new Set(nodeIds);
  const grouped = new Map<string, Problem[]>();
  for (const problem of problems) {
    const key = problemNodeId(problem, ids) ?? '';
    const list = grouped.get(key);
    if (list) list.push(problem);
    else grouped.set(key, [problem]);
  }
  return grouped;
}

/** The problems of an RFC 7807 answer's errors member, whichever form it has. */
export function toProblems(errors: unknown, detail?: string): Problem[] {
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.map((e) =>
      typeof e === 'string'
        ? { message: e }
        : { code: e?.code, target: e?.target, message: String(e?.message ?? JSON.stringify(e)) },
    );
  }
  return detail ? [{ message: detail }] : [];
}
