import type { JsonValue, WorkflowDefinition } from '../mapping/definition';

export interface JsonSchemaProperty {
  type?: string;
  description?: string;
  default?: JsonValue;
  enum?: string[];
}

export interface InputSchema {
  type: 'object';
  properties: Record<string, JsonSchemaProperty>;
  required: string[];
}

export interface ActivityDescriptor {
  type: string;
  displayName: string;
  category: string;
  description: string;
  outcomes: string[];
  inputSchema: InputSchema;
}

export interface DefinitionResponse {
  id: string;
  version: number;
  name?: string | null;
  createdAt: string;
  isPublished: boolean;
  publishedVersion?: number | null;
  definition: WorkflowDefinition;
}

export interface DefinitionVersion {
  id: string;
  version: number;
  name?: string | null;
  createdAt: string;
  isPublished: boolean;
}

export type InstanceStatus = 'Running' | 'Succeeded' | 'Failed' | 'Cancelled';
export type NodeStatus = 'Pending' | 'Scheduled' | 'Running' | 'Waiting' | 'Succeeded' | 'Failed' | 'Skipped' | 'Cancelled';

export interface NodeState {
  nodeId: string;
  status: NodeStatus;
  attempt: number;
  output?: JsonValue;
  error?: string | null;
  finishedAt?: string | null;
}

export interface Instance {
  id: string;
  definitionId: string;
  definitionVersion: number;
  status: InstanceStatus;
  input?: JsonValue;
  output?: JsonValue;
  error?: string | null;
  createdAt: string;
  finishedAt?: string | null;
  nodes: NodeState[];
}

export interface InstancePage {
  items: Instance[];
  skip: number;
  take: number;
}

export interface JournalEvent {
  id: number;
  instanceId: string;
  nodeId?: string | null;
  type: string;
  attempt: number;
  at: string;
  worker?: string | null;
  message?: string | null;
}

/** A sample workflow shipped with the server (GET /api/samples). */
export interface SampleSummary {
  id: string;
  name: string;
  description?: string | null;
  nodes: number;
}

/** One upstream MCP server as GET /api/mcp/servers shows it. */
export interface McpServerStatus {
  name: string;
  transport: string;
  tier: number;
  state: 'Idle' | 'Ready' | 'Failing' | string;
  breaker: 'Closed' | 'Open' | 'HalfOpen' | string;
  consecutiveFailures: number;
  latencyMs?: number | null;
  tools?: string[] | null;
  lastError?: string | null;
  breakerRetryAfterSeconds?: number | null;
  isolatedFor?: string | null;
}

/** One tool of one server (GET /api/mcp/tools). */
export interface McpTool {
  server: string;
  name: string;
  title?: string | null;
  description?: string | null;
  inputSchema?: JsonSchemaObject | null;
}

/** A JSON Schema of an object (a tool's input, an approval's form), as far as the designer draws it. */
export interface JsonSchemaObject {
  type?: string;
  properties?: Record<string, { type?: string | string[]; description?: string; default?: JsonValue; enum?: JsonValue[] }>;
  required?: string[];
}

/** What a tried tool returned (POST /api/mcp/tools/call). */
export interface McpToolCallResult {
  server: string;
  tool: string;
  isError: boolean;
  content?: JsonValue;
  structuredContent?: JsonValue;
  text: string;
}

/** A pending approval (GET /api/approvals). */
export interface Approval {
  id: string;
  instanceId: string;
  nodeId: string;
  title?: string | null;
  description?: string | null;
  assignees?: JsonValue;
  group?: string | null;
  options: string[];
  form?: JsonSchemaObject | null;
  defaultOutcome?: string | null;
  timeoutAt?: string | null;
  since: string;
}

/** A node waiting for an external event (GET /api/events/waiting). */
export interface EventWaiting {
  instanceId: string;
  nodeId: string;
  name: string;
  correlation?: string | null;
  since: string;
  resumeUrl: string;
}

export interface ElsaImport {
  definition: WorkflowDefinition;
  notes: string[];
}

export type DecomposeStrategy = 'auto' | 'parallel' | 'hierarchical' | 'recursive' | 'sequential';

export interface DecomposeSubtask {
  id: string;
  description: string;
  complexity?: number;
  dependencies?: string[];
  weight?: number;
  toolHints?: string[];
  group?: string | null;
}

export interface DecomposeRequest {
  task: { id: string; description: string; complexity?: number; subtasks?: DecomposeSubtask[] };
  strategy: DecomposeStrategy;
  save: boolean;
}

export interface DecomposeResponse {
  strategy: string;
  root: string;
  subtasks: DecomposeSubtask[];
  definitions: WorkflowDefinition[];
}
