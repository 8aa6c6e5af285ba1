import { defaultPort, type JsonObject, type JsonValue, type WorkflowDefinition } from './definition';
import type { ActivityNode, DefinitionMeta, DesignerGraph, FlowEdge } from './graph';

export const nodeSpacing = { x: 260, y: 110 };

/** The canvas graph of a definition. Nodes without a stored layout are placed by depth, one column per level. */
export function definitionToGraph(definition: WorkflowDefinition): DesignerGraph & { needsLayout: boolean } {
  const { nodes: nodeDefinitions, edges: edgeDefinitions, ...meta } = definition;
  const depth = depths(definition);
  const rows = new Map<number, number>();
  let needsLayout = false;

  const nodes: ActivityNode[] = (nodeDefinitions ?? []).map((node) => {
    const { layout, ...rest } = node;
    let position: { x: number; y: number };
    let layoutExtra: JsonObject | undefined;
    if (layout && typeof layout.x === 'number' && typeof layout.y === 'number') {
      const { x, y, ...extra } = layout as JsonObject & { x: number; y: number };
      position = { x, y };
      layoutExtra = Object.keys(extra).length > 0 ? extra : undefined;
    } else {
      needsLayout = true;
      const column = depth.get(node.id) ?? 0;
      const row = rows.get(column) ?? 0;
      rows.set(column, row + 1);
      position = { x: column * nodeSpacing.x, y: row * nodeSpacing.y };
      layoutExtra = layout ? (layout as JsonObject) : undefined;
    }

    return {
      id: node.id,
      type: 'activity',
      position,
      data: layoutExtra ? { definition: rest, layoutExtra } : { definition: rest },
    };
  });

  const used = new Set<string>();
  const edges: FlowEdge[] = (edgeDefinitions ?? []).map((edge, index) => {
    const port = edge.fromPort ?? defaultPort;
    let id = edge.id ?? `${edge.from}:${port}->${edge.to}`;
    if (used.has(id)) {
      id = `${id}#${index}`;
    }
    used.add(id);
    const data: FlowEdge['data'] = {};
    if (edge.id != null) data.definitionId = edge.id;
    if (edge.condition != null) data.condition = edge.condition;
    if (edge.label != null) data.label = edge.label;
    if (edge.toPort != null) data.toPort = edge.toPort;
    if (edge.loop) data.loop = true;
    if (edge.maxIterations != null) data.maxIterations = edge.maxIterations;
    return { id, type: 'flow', source: edge.from, target: edge.to, sourceHandle: port, targetHandle: 'in', data };
  });

  return { meta: meta as DefinitionMeta, nodes, edges, needsLayout };
}

/** Longest distance from a start node (no inbound edges); nodes on a cycle get the depth they are first reached at. */
function depths(definition: WorkflowDefinition): Map<string, number> {
  const inbound = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const node of definition.nodes ?? []) {
    inbound.set(node.id, 0);
    next.set(node.id, []);
  }
  for (const edge of definition.edges ?? []) {
    // A loop edge goes back: it does not push its target further down.
    if (edge.loop || !inbound.has(edge.from) || !inbound.has(edge.to)) continue;
    inbound.set(edge.to, (inbound.get(edge.to) ?? 0) + 1);
    next.get(edge.from)!.push(edge.to);
  }

  const depth = new Map<string, number>();
  const queue = [...inbound].filter(([, count]) => count === 0).map(([id]) => id);
  queue.forEach((id) => depth.set(id, 0));
  const remaining = new Map(inbound);
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const to of next.get(id) ?? []) {
      depth.set(to, Math.max(depth.get(to) ?? 0, (depth.get(id) ?? 0) + 1));
      remaining.set(to, (remaining.get(to) ?? 1) - 1);
      if (remaining.get(to) === 0) queue.push(to);
    }
  }
  return depth;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type { JsonValue };
