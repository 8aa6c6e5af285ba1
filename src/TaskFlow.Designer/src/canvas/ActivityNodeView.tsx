import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { defaultPort } from '../mapping/definition';
import type { ActivityNode } from '../mapping/graph';
import { useDesignerView } from './DesignerContext';

/** A node: its id, type and join mode, one inbound port and one port per outcome; a run's state and server problems on top. */
function ActivityNodeView({ id, data, selected }: NodeProps<ActivityNode>) {
  const { activities, problems, states, focused } = useDesignerView();
  const definition = data.definition;
  const descriptor = activities.get(definition.type);
  const outcomes = descriptor?.outcomes.length ? descriptor.outcomes : [defaultPort];
  const nodeProblems = problems.get(id);
  const state = states?.get(id) ?? (states ? 'pending' : undefined);
  const mode = definition.type === 'join' ? String(definition.inputs?.mode ?? 'WaitAll') : null;
  const classes = ['tf-node', selected || (states && focused === id) ? 'selected' : '', nodeProblems ? 'has-problems' : '', state ? `state-${state}` : '', descriptor ? '' : 'unknown'];

  return (
    <div className={classes.join(' ')} data-testid={`node-${id}`} data-status={state} data-type={definition.type} title={descriptor?.description}>
      <Handle type="target" position={Position.Left} id="in" data-testid={`handle-in-${id}`} />
      <div className="tf-node-type">{descriptor?.displayName ?? definition.type}{mode && <span className="tf-badge" data-testid={`join-mode-${id}`}>{mode}</span>}</div>
      <div className="tf-node-title">{definition.name || id}</div>
      {definition.name && <div className="tf-node-id">{id}</div>}
      {state && <div className="tf-node-state" data-testid={`node-state-${id}`}>{state}</div>}
      {nodeProblems && (
        <ul className="tf-node-problems" data-testid={`node-problems-${id}`}>
          {nodeProblems.map((p, i) => <li key={i}>{p.message}</li>)}
        </ul>
      )}
      {outcomes.map((port, i) => (
        <Handle
          key={port}
          type="source"
          position={Position.Right}
          id={port}
          data-testid={`handle-out-${id}-${port}`}
          style={{ top: `${((i + 1) * 100) / (outcomes.length + 1)}%` }}
          title={port}
        />
      ))}
    </div>
  );
}

export default memo(ActivityNodeView);
