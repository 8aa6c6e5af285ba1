import type { ScopeTree } from './templateScope';

export interface TextProblem {
  from: number;
  to: number;
  message: string;
}

/**
 * What is plainly wrong in a template, found as it is typed: a `{{` never closed, and a path that
 * starts at a root the language does not have or names a node the workflow does not have. The
 * server's validation finds the rest when the workflow is saved or validated.
 */
export function templateProblems(text: string, scope: ScopeTree, everywhere = false): TextProblem[] {
  const problems: TextProblem[] = [];
  const spans: [number, number][] = [];
  if (everywhere) {
    spans.push([0, text.length]);
  } else {
    let at = 0;
    for (;;) {
      const open = text.indexOf('{{', at);
      if (open < 0) break;
      const close = text.indexOf('}}', open + 2);
      if (close < 0) {
        problems.push({ from: open, to: text.length, message: "This '{{' is never closed with '}}'." });
        break;
      }
      spans.push([open + 2, close]);
      at = close + 2;
    }
  }
  for (const [start, end] of spans) {
    const body = text.slice(start, end);
    // Paths outside string literals: names after which '.' or nothing follows.
    const code = body.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, (s) => ' '.repeat(s.length));
    for (const path of code.matchAll(/(?<![\w$.])([A-Za-z_$][\w$]*)((?:\.[A-Za-z_$][\w$-]*)*)(?![\w$.-])(?!\s*\()/g)) {
      const root = path[1];
      if (['true', 'false', 'null'].includes(root)) continue;
      const from = start + path.index!;
      if (!(root in scope)) {
        problems.push({ from, to: from + root.length, message: `'${root}' is not something a template can read; use ${Object.keys(scope).join(', ')}.` });
        continue;
      }
      const node = root === 'nodes' ? path[2].split('.')[1] : undefined;
      const nodes = scope.nodes;
      if (node && nodes && !(node in nodes)) {
        const at = from + 'nodes.'.length;
        problems.push({ from: at, to: at + node.length, message: `There is no node '${node}' in this workflow.` });
      }
    }
  }
  return problems;
}
