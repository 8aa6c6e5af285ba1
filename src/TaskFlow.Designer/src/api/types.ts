import type { JsonObject, JsonValue, WorkflowDefinition } from '../mapping/definition';
import type { components } from './openapi.generated';

/*
 * The designer's view of the server's API. Every type the server describes in its OpenAPI
 * document is derived from the types generated from that document (openapi.generated.ts, made by
 * scripts/api-types.mjs at build time), so a server change that removes or retypes something the
 * designer reads fails the type check of the build. Only the shapes the document cannot express
 * (a JSON Schema, a workflow definition, free JSON) are narrowed here by hand.
 */

type Schemas = components['schemas'];

/** An integer the server also accepts as text is read as a number. */
type Numeric<T> = [number] extends [T] ? ([string] extends [T] ? Exclude<T, string> : T) : T;
type WireEach<T> = unknown extends T
  ? JsonValue
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? T extends Record<string, never> ? JsonObject : { [K in keyof T]: Wire<T[K]> }
      : T;
/** A schema type as JSON arrives: numbers as numbers, free JSON (JsonNode) as a JSON value. */
export type Wire<T> = WireEach<Numeric<T>>;

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

/** A JSON Schema of an object (a tool's input, an approval's form), as far as the designer draws it. */
export interface JsonSchemaObject {
  type?: string;
  properties?: Record<string, { type?: string | string[]; description?: string; default?: JsonValue; enum?: JsonValue[] }>;
  required?: string[];
}

export type ActivityDescriptor = Omit<Wire<Schemas['ActivityResponse']>, 'inputSchema'> & { inputSchema: InputSchema };
export type DefinitionResponse = Omit<Wire<Schemas['DefinitionResponse']>, 'definition'> & { definition: WorkflowDefinition };
export type DefinitionVersion = Wire<Schemas['DefinitionVersionResponse']>;
export type InstanceStatus = Schemas['InstanceStatus'];
export type NodeStatus = Schemas['NodeStatus'];
export type NodeState = Wire<Schemas['NodeStateView']>;
export type Instance = Wire<Schemas['InstanceView']>;
export type InstancePage = Wire<Schemas['InstancePage']>;
export type JournalEvent = Wire<Schemas['JournalEventView']>;
/** A sample workflow shipped with the server (GET /api/samples). */
export type SampleSummary = Wire<Schemas['SampleSummary']>;
/** One upstream MCP server as GET /api/mcp/servers shows it. */
export type McpServerStatus = Wire<Schemas['McpServerStatus']>;
/** One tool of one server (GET /api/mcp/tools). */
export type McpTool = Omit<Wire<Schemas['McpToolResponse']>, 'inputSchema'> & { inputSchema: JsonSchemaObject | null };
/** What a tried tool returned (POST /api/mcp/tools/call). */
export type McpToolCallResult = Wire<Schemas['McpToolCallResponse']>;
/** A pending approval (GET /api/approvals). */
export type Approval = Omit<Wire<Schemas['ApprovalResponse']>, 'form'> & { form: JsonSchemaObject | null };
/** A node waiting for an external event (GET /api/events/waiting). */
export type EventWaiting = Wire<Schemas['EventWaitingView']>;
export type ElsaImport = Omit<Wire<Schemas['ElsaImportResponse']>, 'definition'> & { definition: WorkflowDefinition };

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

/** A task waiting for an agent, or taken or finished by one (GET /api/agent-tasks). */
export type AgentTask = Wire<Schemas['AgentTaskResponse']>;
/** A claim: the task and the lease token that completes or fails it. */
export type AgentTaskClaim = Wire<Schemas['AgentTaskClaim']>;
