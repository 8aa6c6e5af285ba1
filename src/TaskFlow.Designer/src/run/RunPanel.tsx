import { useState } from 'react';
import type { Instance } from '../api/types';
import TextField from '../properties/TextField';
import PendingApprovals from '../approvals/PendingApprovals';
import InstanceList from './InstanceList';
import NodeDetails from './NodeDetails';

interface RunPanelProps {
  instance: Instance | null;
  instanceId: string | null;
  /** The open definition's id, which the instance list follows. */
  definitionId: string | null;
  selectedNode: string | null;
  busy: boolean;
  error: string | null;
  onRun: (input: unknown) => void;
  onCancel: () => void;
  onRetry: (nodeId: string) => void;
  /** Something done here (a decision, an event) moved the instance on. */
  onChanged: () => void;
  /** Changes with every journal event of the open instance. */
  progress: unknown;
  onOpenInstance: (instance: Instance) => void;
  onClose: () => void;
}

/** Starts a run with input, follows it, and lists other instances. */
export default function RunPanel(props: RunPanelProps) {
  const [input, setInput] = useState('{}');
  const parse = (text: string) => {
    try {
      const value: unknown = JSON.parse(text || '{}');
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? null : 'The input is a JSON object.';
    } catch {
      return 'Not valid JSON.';
    }
  };
  const { instance } = props;
  return (
    <div className="tf-run" data-testid="run-panel">
      <TextField label="Input (JSON object)" testId="run-input" multiline value={input} check={parse} onCommit={setInput} />
      <div className="tf-row">
        <button data-testid="run-start" disabled={props.busy} onClick={() => props.onRun(JSON.parse(input || '{}'))}>Save and run</button>
        {props.instanceId && <button onClick={props.onClose} data-testid="run-close">Back to editing</button>}
      </div>
      {props.error && <p className="tf-field-error" data-testid="run-error">{props.error}</p>}
      {props.instanceId && (
        <section className="tf-instance" data-testid="instance">
          <h3>
            Instance <code data-testid="instance-id">{props.instanceId}</code>{' '}
            <span className={`tf-state state-${instance?.status.toLowerCase() ?? 'running'}`} data-testid="instance-status">{instance?.status ?? 'Running'}</span>
          </h3>
          {(instance?.correlationId || instance?.traceId) && (
            <p className="tf-hint" data-testid="instance-ids">
              {instance.correlationId && <>Correlation <code data-testid="instance-correlation">{instance.correlationId}</code>{' '}</>}
              {instance.traceId && <>Trace <code data-testid="instance-trace" title="Find this trace in your tracing backend (OpenTelemetry)">{instance.traceId}</code></>}
            </p>
          )}
          {instance?.status === 'Running' && <button data-testid="instance-cancel" onClick={props.onCancel}>Cancel</button>}
          {instance?.error && <pre className="tf-error">{instance.error}</pre>}
          {instance && props.selectedNode && <NodeDetails instance={instance} nodeId={props.selectedNode} onRetry={props.onRetry} onChanged={props.onChanged} />}
          {instance && !props.selectedNode && <p className="tf-hint">Click a node for its output, error, attempts and workspace.</p>}
        </section>
      )}
      <PendingApprovals instanceId={props.instanceId} refreshKey={props.progress} onDecided={props.onChanged} />
      <InstanceList activeId={props.instanceId} definitionId={props.definitionId} refreshKey={`${props.instanceId}-${instance?.status}`} onOpen={props.onOpenInstance} />
    </div>
  );
}
