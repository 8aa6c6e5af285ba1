import type { Instance } from '../api/types';
import AgentTaskDetails from './AgentTaskDetails';
import EventWaitDetails from './EventWaitDetails';
import { overlayOf } from './nodeStatus';

interface NodeDetailsProps {
  instance: Instance;
  nodeId: string;
  onRetry: (nodeId: string) => void;
  /** The instance moved on because of something done here (an event sent). */
  onChanged: () => void;
}

/** One node of a run: state, attempts, output, error and the workspace it ran in. */
export default function NodeDetails({ instance, nodeId, onRetry, onChanged }: NodeDetailsProps) {
  const state = instance.nodes.find((n) => n.nodeId === nodeId);
  if (!state) return <div className="tf-node-details" data-testid="node-details"><h3>{nodeId}</h3><p>Not started.</p></div>;
  const output = state.output;
  const workspace = output && typeof output === 'object' && !Array.isArray(output) ? output.workspace : undefined;
  return (
    <div className="tf-node-details" data-testid="node-details">
      <h3>{nodeId} <span className={`tf-state state-${overlayOf(state.status)}`} data-testid="node-details-status">{state.status}</span></h3>
      <dl>
        <dt>Attempts</dt><dd data-testid="node-details-attempts">{state.attempt}</dd>
        {state.finishedAt && (<><dt>Finished</dt><dd>{new Date(state.finishedAt).toLocaleString()}</dd></>)}
        {workspace !== undefined && (<><dt>Workspace</dt><dd data-testid="node-details-workspace"><code>{JSON.stringify(workspace)}</code></dd></>)}
      </dl>
      {state.status === 'Waiting' && <EventWaitDetails key={`${instance.id}-${nodeId}`} instanceId={instance.id} nodeId={nodeId} onSent={onChanged} />}
      {state.status === 'Waiting' && <AgentTaskDetails key={`agent-${instance.id}-${nodeId}`} instanceId={instance.id} nodeId={nodeId} />}
      {state.error && <pre className="tf-error" data-testid="node-details-error">{state.error}</pre>}
      {output !== undefined && output !== null && <pre data-testid="node-details-output">{JSON.stringify(output, null, 2)}</pre>}
      {state.status === 'Failed' && instance.status === 'Failed' && (
        <button data-testid="node-retry" onClick={() => onRetry(nodeId)}>Retry this node</button>
      )}
    </div>
  );
}
