import type { JsonObject, WorkflowDefinition } from '../mapping/definition';
import { api } from './client';
import type {
  ActivityDescriptor, AgentTask, AgentTaskClaim, DecomposeRequest, DecomposeResponse, DefinitionResponse, DefinitionVersion, ElsaImport, Instance, InstancePage, InstanceStatus, Approval, EventWaiting, McpServerStatus, McpTool, McpToolCallResult, SampleSummary,
} from './types';

const enc = encodeURIComponent;

export const listActivities = () => api<ActivityDescriptor[]>('GET', '/api/activities');
export const listDefinitions = () => api<DefinitionResponse[]>('GET', '/api/definitions');
export const getDefinition = (id: string, version?: number) =>
  api<DefinitionResponse>('GET', `/api/definitions/${enc(id)}${version ? `?version=${version}` : ''}`);
export const listVersions = (id: string) => api<DefinitionVersion[]>('GET', `/api/definitions/${enc(id)}/versions`);

/** Stores the definition as the next version of its id (version 1 of a new id); published. */
export function saveDefinition(definition: WorkflowDefinition): Promise<DefinitionResponse> {
  const { version: _version, ...document } = definition;
  return api<DefinitionResponse>('POST', '/api/definitions', document);
}

export const listSamples = () => api<SampleSummary[]>('GET', '/api/samples');
export const getSample = (id: string) => api<WorkflowDefinition>('GET', `/api/samples/${enc(id)}`);
export const importElsa = (elsa: unknown) => api<ElsaImport>('POST', '/api/definitions/import/elsa', elsa);
export const runDefinition = (id: string, input: unknown, version?: number) =>
  api<{ id: string }>('POST', `/api/definitions/${enc(id)}/run`, version ? { input, version } : { input });
export const getInstance = (id: string) => api<Instance>('GET', `/api/instances/${enc(id)}`);
/** The newest instances, of one definition when <definitionId> is given. */
export const listInstances = (status?: InstanceStatus, definitionId?: string) =>
  api<InstancePage>('GET', `/api/instances?take=50${status ? `&status=${status}` : ''}${definitionId ? `&definition=${enc(definitionId)}` : ''}`);
export const cancelInstance = (id: string) => api<Instance>('POST', `/api/instances/${enc(id)}/cancel`);
export const retryNode = (id: string, nodeId: string) => api<Instance>('POST', `/api/instances/${enc(id)}/nodes/${enc(nodeId)}/retry`);
export const listMcpServers = () => api<McpServerStatus[]>('GET', '/api/mcp/servers');
export const listMcpTools = () => api<McpTool[]>('GET', '/api/mcp/tools');
/** Calls a tool once through the router (needs the operator role). */
export const callMcpTool = (tool: string, server: string | undefined, args: JsonObject) =>
  api<McpToolCallResult>('POST', '/api/mcp/tools/call', { tool, server, arguments: args });
/** Pending approvals, of one instance when given. */
export const listApprovals = (instanceId?: string) =>
  api<Approval[]>('GET', `/api/approvals${instanceId ? `?instanceId=${enc(instanceId)}` : ''}`);
/** Decides an approval once (operator role); the node leaves by the decision's port. */
export const decideApproval = (id: string, decision: string, comment?: string, form?: JsonObject) =>
  api<unknown>('POST', `/api/approvals/${enc(id)}`, { decision, comment: comment || undefined, form });
export const listEventWaits = (instanceId: string) => api<EventWaiting[]>('GET', `/api/events/waiting?instanceId=${enc(instanceId)}`);
/** Delivers an event by name (operator role): every node waiting for it (and the correlation) resumes with the payload. */
export const sendEvent = (name: string, correlation: string | undefined, instanceId: string, payload: unknown) =>
  api<unknown>('POST', `/api/events/${enc(name)}`, { correlation: correlation || undefined, instanceId, payload });
export const decompose = (request: DecomposeRequest) => api<DecomposeResponse>('POST', '/api/decompose', request);

/** Agent tasks, oldest first: of one status (all that are not finished when none), needing one capability, of one instance, when given. */
export const listAgentTasks = (status?: string, capability?: string, instanceId?: string) => {
  const query = [status ? `status=${enc(status)}` : '', capability ? `capability=${enc(capability)}` : '', instanceId ? `instanceId=${enc(instanceId)}` : '']
    .filter(Boolean)
    .join('&');
  return api<AgentTask[]>('GET', `/api/agent-tasks${query ? `?${query}` : ''}`);
};
/** Claims a ready agent task under a lease; the lease token finishes it. */
export const claimAgentTask = (id: string, agent: string) => api<AgentTaskClaim>('POST', `/api/agent-tasks/${enc(id)}/claim`, { agent });
/** Completes a claimed agent task: the node goes on with the output. */
export const completeAgentTask = (id: string, leaseToken: string, output: unknown) =>
  api<AgentTask>('POST', `/api/agent-tasks/${enc(id)}/complete`, { leaseToken, output });
/** Fails a claimed agent task: the node fails with the error. */
export const failAgentTask = (id: string, leaseToken: string, error: string) =>
  api<AgentTask>('POST', `/api/agent-tasks/${enc(id)}/fail`, { leaseToken, error });
