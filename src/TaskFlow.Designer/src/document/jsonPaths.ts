/**
 * A tolerant reading of JSON text being typed: which object or array a position is in (its path from
 * the root), whether a key or a value is expected there, and where each member of the document
 * starts. It never throws; text that stops parsing is read up to the position asked about.
 */

export type PathPart = string | number;

interface ObjectFrame {
  kind: 'object';
  path: PathPart[];
  /** The key whose value comes next, once its ':' has been read. */
  key: string | null;
  expectingKey: boolean;
  /** Keys already present, and the string values among them (a node's "type", an edge's "from"). */
  keys: Set<string>;
  strings: Map<string, string>;
}

interface ArrayFrame {
  kind: 'array';
  path: PathPart[];
  index: number;
}

type Frame = ObjectFrame | ArrayFrame;

/** What the position is in: the innermost container and what may be typed there. */
export interface JsonPosition {
  /** The path of the innermost object or array. */
  path: PathPart[];
  container: 'object' | 'array';
  /** key: a member name is expected (or being typed); value: the value of `key` (or an array item). */
  expecting: 'key' | 'value';
  /** For a value in an object: its key. */
  key: string | null;
  /** The keys already in the innermost object, and its string members. */
  keys: ReadonlySet<string>;
  strings: ReadonlyMap<string, string>;
  /** The string members of the enclosing objects, innermost first (a node's, when in its inputs). */
  outer: ReadonlyMap<string, string>[];
  /** Where the word being typed starts (after its opening quote, if any), and whether it is quoted. */
  from: number;
  quoted: boolean;
}

/** Where a member of the document is: its key's text (or an array item's start) and its value. */
export interface JsonSpan {
  path: PathPart[];
  from: number;
  to: number;
  /** A string value, as written (unescaped where simple). */
  value?: string;
}

interface ScanResult {
  frames: Frame[];
  /** An unterminated string at the end: where its content starts. */
  openString: number | null;
  spans: JsonSpan[];
}

function scan(text: string, end: number, collectSpans: boolean): ScanResult {
  const frames: Frame[] = [];
  const spans: JsonSpan[] = [];
  let lastString: string | null = null;
  let lastStringFrom = 0;
  let memberFrom = 0;
  let i = 0;
  const valuePath = (frame: Frame | undefined): PathPart[] | null => {
    if (!frame) return [];
    if (frame.kind === 'array') return [...frame.path, frame.index];
    return frame.key === null ? null : [...frame.path, frame.key];
  };
  while (i < end) {
    const c = text[i];
    const top = frames[frames.length - 1];
    if (c === '"') {
      const start = i + 1;
      let j = start;
      let value = '';
      while (j < end && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < end) {
          const next = text[j + 1];
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          j += 2;
        } else {
          value += text[j];
          j++;
        }
      }
      if (j >= end) return { frames, openString: start, spans };
      if (top?.kind === 'object' && top.expectingKey) {
        lastString = value;
        lastStringFrom = i;
        memberFrom = i;
      } else {
        if (top?.kind === 'object' && top.key !== null) top.strings.set(top.key, value);
        if (collectSpans) {
          const path = valuePath(top);
          if (path) spans.push({ path, from: top?.kind === 'array' ? i : memberFrom, to: j + 1, value });
        }
      }
      i = j + 1;
      continue;
    }
    if (c === ':' && top?.kind === 'object' && top.expectingKey && lastString !== null) {
      top.key = lastString;
      top.keys.add(lastString);
      top.expectingKey = false;
      memberFrom = lastStringFrom;
    } else if (c === ',') {
      if (top?.kind === 'object') {
        top.expectingKey = true;
        top.key = null;
        lastString = null;
      } else if (top?.kind === 'array') top.index++;
    } else if (c === '{' || c === '[') {
      const path = valuePath(top) ?? [...(top?.path ?? []), '?'];
      if (collectSpans && top) spans.push({ path, from: top.kind === 'array' ? i : memberFrom, to: i + 1 });
      frames.push(c === '{'
        ? { kind: 'object', path, key: null, expectingKey: true, keys: new Set(), strings: new Map() }
        : { kind: 'array', path, index: 0 });
      lastString = null;
    } else if (c === '}' || c === ']') {
      frames.pop();
    } else if (collectSpans && top && !/\s/.test(c)) {
      // A number, true, false or null: a member whose value is not a string.
      const path = valuePath(top);
      let j = i;
      while (j < end && !/[\s,\]}]/.test(text[j])) j++;
      if (path) spans.push({ path, from: top.kind === 'array' ? i : memberFrom, to: j });
      i = j;
      continue;
    }
    i++;
  }
  return { frames, openString: null, spans };
}

/** What is at <pos> in the text: null outside any object or array. */
export function positionAt(text: string, pos: number): JsonPosition | null {
  const { frames, openString } = scan(text, pos, false);
  const top = frames[frames.length - 1];
  if (!top) return null;
  let from = pos;
  if (openString === null) {
    while (from > 0 && /[\w$.-]/.test(text[from - 1])) from--;
  }
  const outer = frames.slice(0, -1).reverse().filter((f): f is ObjectFrame => f.kind === 'object').map((f) => f.strings as ReadonlyMap<string, string>);
  if (top.kind === 'array') {
    return { path: top.path, container: 'array', expecting: 'value', key: null, keys: new Set(), strings: new Map(), outer, from: openString ?? from, quoted: openString !== null };
  }
  return {
    path: top.path,
    container: 'object',
    expecting: top.expectingKey ? 'key' : 'value',
    key: top.expectingKey ? null : top.key,
    keys: top.keys,
    strings: top.strings,
    outer,
    from: openString ?? from,
    quoted: openString !== null,
  };
}

/** Every member of the document with where it is written, in document order. */
export function spansOf(text: string): JsonSpan[] {
  return scan(text, text.length, true).spans;
}

export function samePath(a: readonly PathPart[], b: readonly PathPart[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}
