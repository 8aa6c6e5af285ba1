import type { TextProblem } from '../editor/templateLint';
import type { Problem } from '../mapping/problems';
import { samePath, spansOf, type JsonSpan, type PathPart } from './jsonPaths';

const nodeTarget = /^node '([^']+)'(?: input '([^']+)')?/;
const edgeTarget = /^edge '([^']+)'/;
const triggerTarget = /^trigger #(\d+)/;
const pathTarget = /^\$((?:\.[A-Za-z_$][\w$-]*|\[\d+\])*)/;

/** A `$.nodes[2].inputs.url` target as path parts. */
function parsePath(text: string): PathPart[] {
  return [...text.matchAll(/\.([A-Za-z_$][\w$-]*)|\[(\d+)\]/g)].map((m) => (m[1] !== undefined ? m[1] : Number(m[2])));
}

function find(spans: readonly JsonSpan[], path: readonly PathPart[]): JsonSpan | undefined {
  return spans.find((s) => samePath(s.path, path));
}

/** The deepest member of the path that is written, so a problem about a missing input marks its node. */
function deepest(spans: readonly JsonSpan[], path: readonly PathPart[]): JsonSpan | undefined {
  for (let length = path.length; length > 0; length--) {
    const span = find(spans, path.slice(0, length));
    if (span) return span;
  }
  return undefined;
}

function indexOfItem(spans: readonly JsonSpan[], list: string, member: string, value: string): number | null {
  const span = spans.find((s) => s.path.length === 3 && s.path[0] === list && s.path[2] === member && s.value === value);
  return span ? (span.path[1] as number) : null;
}

function locate(spans: readonly JsonSpan[], problem: Problem): JsonSpan | undefined {
  const target = problem.target ?? '';
  const node = nodeTarget.exec(target);
  if (node) {
    const index = indexOfItem(spans, 'nodes', 'id', node[1]);
    if (index === null) return undefined;
    return node[2] ? deepest(spans, ['nodes', index, 'inputs', node[2]]) : find(spans, ['nodes', index, 'id']);
  }
  const edge = edgeTarget.exec(target);
  if (edge) {
    // An edge is named by its id, or from->to when it has none.
    const byId = indexOfItem(spans, 'edges', 'id', edge[1]);
    if (byId !== null) return find(spans, ['edges', byId, 'id']);
    const [from, to] = edge[1].split('->');
    const index = spans.find((s) => s.path.length === 3 && s.path[0] === 'edges' && s.path[2] === 'from' && s.value === from
      && spans.some((t) => samePath(t.path, ['edges', s.path[1], 'to']) && t.value === to))?.path[1];
    return index === undefined ? undefined : find(spans, ['edges', index, 'from']);
  }
  const trigger = triggerTarget.exec(target);
  if (trigger) return find(spans, ['triggers', Number(trigger[1]) - 1]);
  const path = pathTarget.exec(target);
  if (path) return deepest(spans, parsePath(path[1]));
  return undefined;
}

/**
 * The server's validation problems placed in the JSON text: a problem about a node marks its id (or
 * the input it names), one about an edge its `from`, a trigger's its entry, a `$.` path the deepest
 * member of that path that is written. Problems that name nothing in the text are left out (the
 * problem list shows them all).
 */
export function serverProblemsInText(text: string, problems: readonly Problem[]): TextProblem[] {
  if (problems.length === 0) return [];
  const spans = spansOf(text);
  const placed: TextProblem[] = [];
  for (const problem of problems) {
    const span = locate(spans, problem);
    if (span) placed.push({ from: span.from, to: Math.max(span.to, span.from + 1), message: problem.code ? `${problem.code}: ${problem.message}` : problem.message });
  }
  return placed;
}
