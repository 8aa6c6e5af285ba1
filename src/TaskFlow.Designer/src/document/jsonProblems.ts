import type { TextProblem } from '../editor/templateLint';

/** Where JSON text stops parsing, with the parser's message; nothing for valid JSON. */
export function jsonProblems(text: string): TextProblem[] {
  try {
    JSON.parse(text);
    return [];
  } catch (e) {
    const message = (e as Error).message;
    // V8 names the offset: "... at position 12" (and, in newer versions, "(line 2 column 3)").
    const at = /position (\d+)/.exec(message);
    const from = at ? Math.min(Number(at[1]), text.length) : text.length;
    return [{ from: Math.max(0, from - (from === text.length ? 1 : 0)), to: Math.min(text.length, from + 1), message: `Not valid JSON: ${message}` }];
  }
}
