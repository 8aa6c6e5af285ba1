/** The workflow definition document as the server stores it (TaskFlow.Core.Model, camelCase JSON). */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type JoinMode = 'WaitAll' | 'WaitAllActive' | 'WaitAny';
export const joinModes: readonly JoinMode[] = ['WaitAll', 'WaitAllActive', 'WaitAny'];

/** The outcome every activity has unless it declares its own. */
export const defaultPort = 'done';

export interface NodeLayout {
  x: number;
  y: number;
  [key: string]: JsonValue;
}

export interface NodeDefinition {
  id: string;
  type: string;
  name?: string | null;
  inputs?: JsonObject;
  retry?: JsonObject | null;
  timeout?: string | null;
  tier?: number | null;
  workspace?: JsonObject | null;
  layout?: NodeLayout | JsonObject | null;
}

export interface EdgeDefinition {
  id?: string | null;
  from: string;
  to: string;
  fromPort?: string | null;
  toPort?: string | null;
  condition?: Condition | null;
  label?: string | null;
  /** A loop edge: it goes back, and taking it runs the loop again. */
  loop?: boolean;
  maxIterations?: number | null;
}

/** An edge condition: a template-language expression, or a JavaScript expression { js }. */
export type Condition = string | { js: string };

export interface WorkflowDefinition {
  id: string;
  version?: number;
  name?: string | null;
  description?: string | null;
  nodes: NodeDefinition[];
  edges: EdgeDefinition[];
  [member: string]: unknown;
}
