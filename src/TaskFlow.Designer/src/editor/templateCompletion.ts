import type { ScopeTree } from './templateScope';

export interface CompletionResult {
  /** Where the word being completed starts. */
  from: number;
  options: { label: string; detail: string }[];
}

/** Whether <pos> is inside a `{{ ... }}` placeholder of <text>. */
export function insidePlaceholder(text: string, pos: number): boolean {
  const open = text.lastIndexOf('{{', pos);
  if (open < 0 || pos < open + 2) return false;
  const close = text.indexOf('}}', open);
  return close < 0 || close >= pos;
}

/**
 * The names that can follow the dotted path before <pos>: roots at the start of a path,
 * `input.`'s declared inputs, `nodes.`'s ids, `nodes.<id>.output.`'s fields, and so on.
 * <everywhere> is for bare expressions (edge conditions); otherwise only inside placeholders.
 */
export function completeTemplate(text: string, pos: number, scope: ScopeTree, everywhere = false): CompletionResult | null {
  if (!everywhere && !insidePlaceholder(text, pos)) return null;
  const before = text.slice(0, pos);
  const match = /([A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*)?\.?([\w$-]*)$/.exec(before);
  if (!match) return null;
  const path = before.slice(match.index).split('.');
  const word = path.pop() ?? '';
  // A number, or a path that follows something other than a name (a call, an index), is not completed.
  const preceding = before[match.index - 1];
  if (preceding && /[\w$)\]'"]/.test(preceding)) return null;
  let tree: ScopeTree | null = scope;
  for (const name of path) {
    tree = tree?.[name] ?? null;
    if (!tree) return null;
  }
  const options = Object.entries(tree)
    .filter(([name]) => name.startsWith(word))
    .map(([name, members]) => ({ label: name, detail: members ? 'object' : '' }));
  return options.length > 0 ? { from: pos - word.length, options } : null;
}
