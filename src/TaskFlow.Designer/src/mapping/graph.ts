import type { Edge, Node } from '@xyflow/react';
import type { Condition, JsonObject, NodeDefinition } from './definition';

/** What a canvas node carries: the node's definition, without its layout (the node's position is that). */
export type ActivityNodeData = {
  definition: Omit<NodeDefinition, 'layout'>;
  /** Layout members other than x and y, kept so that a round trip loses nothing. */
  layoutExtra?: JsonObject;
};

export type ActivityNode = Node<ActivityNodeData, 'activity'>;

export type FlowEdgeData = {
  condition?: Condition;
  label?: string;
  /** The definition's own edge id, when it had one (canvas ids are generated otherwise). */
  definitionId?: string;
  toPort?: string;
  /** A loop edge (it goes back; taking it runs the loop again), and its bound. */
  loop?: boolean;
  maxIterations?: number;
};

export type FlowEdge = Edge<FlowEdgeData, 'flow'>;

/** The text of a condition: the expression, or a JavaScript condition's source. */
export function conditionText(condition: Condition | undefined): string {
  return condition === undefined ? '' : typeof condition === 'string' ? condition : condition.js;
}

/** Everything of a definition that is not its nodes and edges (id, name, inputs, variables, output, triggers, ...). */
export interface DefinitionMeta {
  id: string;
  version?: number;
  name?: string | null;
  description?: string | null;
  [member: string]: unknown;
}

export interface DesignerGraph {
  meta: DefinitionMeta;
  nodes: ActivityNode[];
  edges: FlowEdge[];
}
