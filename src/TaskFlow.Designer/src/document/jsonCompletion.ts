import type { ActivityDescriptor } from '../api/types';
import { positionAt, type PathPart } from './jsonPaths';

/** The part of JSON Schema the completion reads (the definition schema, docs/workflow.schema.json). */
export interface Schema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  $ref?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  $defs?: Record<string, Schema>;
}

export interface JsonCompletionOption {
  label: string;
  /** What is inserted: a quoted member name with its colon, or a quoted value. */
  apply: string;
  detail?: string;
  info?: string;
}

export interface JsonCompletion {
  from: number;
  options: JsonCompletionOption[];
}

/** What the completion knows besides the schema: the catalog's activities and the document's node ids. */
export interface JsonCompletionContext {
  schema: Schema;
  activities: ReadonlyMap<string, ActivityDescriptor>;
  nodeIds: readonly string[];
}

function resolve(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let hops = 0; current.$ref && hops < 10; hops++) {
    const name = current.$ref.replace(/^#\/\$defs\//, '');
    current = { ...root.$defs?.[name], description: current.description ?? root.$defs?.[name]?.description };
  }
  return current;
}

/** The object schemas a value may be (an anyOf of an object and null gives the object). */
function objectSchemas(schema: Schema, root: Schema): Schema[] {
  const resolved = resolve(schema, root);
  const alternatives = resolved.anyOf ?? resolved.oneOf;
  if (alternatives) return alternatives.flatMap((s) => objectSchemas(s, root));
  return resolved.properties || resolved.additionalProperties !== undefined || resolved.type === 'object' ? [resolved] : [];
}

/** The schema at a path from the root, or null where the schema says nothing (a node's inputs, a template value). */
function schemaAt(root: Schema, path: readonly PathPart[]): Schema | null {
  let current: Schema = root;
  for (const part of path) {
    const resolved = resolve(current, root);
    const next = typeof part === 'number'
      ? resolve(resolved.anyOf?.find((s) => resolve(s, root).items)
        ? resolve(resolved.anyOf.find((s) => resolve(s, root).items)!, root).items ?? {}
        : resolved.items ?? {}, root)
      : objectSchemas(resolved, root).map((s) => s.properties?.[part] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined)).find(Boolean);
    if (!next) return null;
    current = next;
  }
  return resolve(current, root);
}

const quote = (text: string) => JSON.stringify(text);

function firstLine(text: string | undefined): string | undefined {
  return text?.split(/(?<=\.)\s/)[0];
}

function keyOptions(names: Iterable<[string, string | undefined, string | undefined]>, present: ReadonlySet<string>, quoted: boolean): JsonCompletionOption[] {
  const options: JsonCompletionOption[] = [];
  for (const [name, detail, info] of names) {
    if (present.has(name)) continue;
    options.push({ label: name, apply: quoted ? `${name}": ` : `${quote(name)}: `, detail, info });
  }
  return options;
}

function valueOptions(values: Iterable<[string, string | undefined]>, quoted: boolean): JsonCompletionOption[] {
  return [...values].map(([value, detail]) => ({ label: value, apply: quoted ? `${value}"` : quote(value), detail }));
}

/**
 * Completion in the JSON tab at <pos>: member names from the definition schema (and, inside a node's
 * `inputs`, the inputs its activity declares), activity types for a node's `type`, node ids for an
 * edge's `from` and `to`, and the values a schema enumerates. Null where there is nothing to offer.
 */
export function completeJson(text: string, pos: number, context: JsonCompletionContext): JsonCompletion | null {
  const at = positionAt(text, pos);
  if (!at) return null;
  const { path } = at;
  const inNode = path.length === 2 && path[0] === 'nodes' && typeof path[1] === 'number';
  const inNodeInputs = path.length === 3 && path[0] === 'nodes' && path[2] === 'inputs';
  const inEdge = path.length === 2 && path[0] === 'edges' && typeof path[1] === 'number';

  if (at.container === 'object' && at.expecting === 'key') {
    if (inNodeInputs) {
      const activity = context.activities.get(at.outer[0]?.get('type') ?? '');
      if (!activity) return null;
      const inputs = Object.entries(activity.inputSchema.properties)
        .map(([name, p]): [string, string | undefined, string | undefined] => [name, p.type, firstLine(p.description)]);
      return { from: at.from, options: keyOptions(inputs, at.keys, at.quoted) };
    }
    const schema = schemaAt(context.schema, path);
    if (!schema) return null;
    const properties = objectSchemas(schema, context.schema).flatMap((s) => Object.entries(s.properties ?? {}));
    const names = properties.map(([name, p]): [string, string | undefined, string | undefined] => {
      const resolved = resolve(p, context.schema);
      const type = Array.isArray(resolved.type) ? resolved.type.filter((t) => t !== 'null').join(' | ') : resolved.type;
      return [name, type, firstLine(p.description ?? resolved.description)];
    });
    return names.length === 0 ? null : { from: at.from, options: keyOptions(names, at.keys, at.quoted) };
  }

  if (at.expecting !== 'value' || at.key === null) return null;
  if (inNode && at.key === 'type') {
    const types = [...context.activities.values()].map((a): [string, string | undefined] => [a.type, a.displayName]);
    return { from: at.from, options: valueOptions(types, at.quoted) };
  }
  if (inEdge && (at.key === 'from' || at.key === 'to')) {
    return { from: at.from, options: valueOptions(context.nodeIds.map((id): [string, string | undefined] => [id, 'node']), at.quoted) };
  }
  if (inEdge && at.key === 'fromPort') {
    const source = context.activities.get(at.strings.get('from') ? typeOf(text, at.strings.get('from')!) ?? '' : '');
    const outcomes = source?.outcomes ?? ['done'];
    return { from: at.from, options: valueOptions([...new Set(['done', 'error', ...outcomes])].map((o): [string, string | undefined] => [o, 'outcome']), at.quoted) };
  }
  const schema = schemaAt(context.schema, [...path, at.key]);
  const values = schema ? [schema, ...(schema.anyOf ?? []).map((s) => resolve(s, context.schema))].flatMap((s) => s.enum ?? []).filter((v): v is string => typeof v === 'string') : [];
  return values.length === 0 ? null : { from: at.from, options: valueOptions(values.map((v): [string, string | undefined] => [v, undefined]), at.quoted) };
}

/** The activity type of the node with this id, read from the text as it is (null when it does not parse). */
function typeOf(text: string, nodeId: string): string | null {
  try {
    const parsed = JSON.parse(text) as { nodes?: { id?: string; type?: string }[] };
    return parsed.nodes?.find((n) => n.id === nodeId)?.type ?? null;
  } catch {
    return null;
  }
}
