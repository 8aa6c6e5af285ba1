import type { JsonValue, WorkflowDefinition } from '../mapping/definition';

/** The names a template can reach, as a tree: each name's members, or null for a leaf. */
export interface ScopeTree {
  [name: string]: ScopeTree | null;
}

const maxDepth = 4;
const maxMembers = 200;

/** The members of a JSON value, a few levels deep: what `nodes.a.output.` can be followed by. */
export function membersOf(value: JsonValue | undefined, depth = 0): ScopeTree | null {
  if (value === null || value === undefined || typeof value !== 'object' || depth >= maxDepth) return null;
  const tree: ScopeTree = {};
  if (Array.isArray(value)) {
    // An array's items share a shape: the first one's members stand for all.
    return value.length > 0 ? membersOf(value[0], depth + 1) : null;
  }
  for (const [name, member] of Object.entries(value).slice(0, maxMembers)) tree[name] = membersOf(member, depth + 1);
  return tree;
}

/**
 * What a template in <definition> can name: the run's declared inputs, the variables its
 * setVariable nodes set, every node's output (with the fields a run produced, when one is open),
 * and the other roots of the template language.
 */
export function templateScope(definition: WorkflowDefinition, outputs?: ReadonlyMap<string, JsonValue | undefined>): ScopeTree {
  const input: ScopeTree = {};
  const declared = definition.inputs;
  if (declared && typeof declared === 'object') for (const name of Object.keys(declared)) input[name] = null;
  const vars: ScopeTree = {};
  const nodes: ScopeTree = {};
  for (const node of definition.nodes) {
    const name = node.inputs?.name;
    if (node.type === 'setVariable' && typeof name === 'string' && !name.includes('{{')) vars[name] = null;
    nodes[node.id] = { output: membersOf(outputs?.get(node.id)) ?? {} };
  }
  return {
    input, vars, nodes,
    item: null, index: null, attempt: null, output: null,
    instance: { id: null, depth: null, correlationId: null },
    secrets: null,
  };
}
