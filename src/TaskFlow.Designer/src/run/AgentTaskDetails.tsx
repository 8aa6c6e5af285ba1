import { useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { listAgentTasks } from '../api/endpoints';
import type { AgentTask } from '../api/types';

interface AgentTaskDetailsProps {
  instanceId: string;
  nodeId: string;
}

/** How often a waiting agent node's task is read again, to show a claim as it happens. */
const REFRESH_MS = 2000;

/**
 * A node that waits for an agent: its task, whether an agent holds it (by name, and until when)
 * or it is ready for one. A subagent's plan run live from the hooks shows here which subagent
 * works on which subtask.
 */
export default function AgentTaskDetails({ instanceId, nodeId }: AgentTaskDetailsProps) {
  const [task, setTask] = useState<AgentTask | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const load = () =>
      listAgentTasks(undefined, undefined, instanceId).then(
        (tasks) => current && setTask(tasks.find((t) => t.nodeId === nodeId) ?? null),
        (e) => current && setError(errorMessage(e)),
      );
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [instanceId, nodeId]);

  if (!task) return error ? <p className="tf-field-error">{error}</p> : null;
  return (
    <section className="tf-agent-wait" data-testid="agent-wait" data-status={task.status}>
      <h4>Waiting for an agent: {task.title ?? task.nodeId}</h4>
      <p data-testid="agent-wait-state">
        {task.status === 'claimed'
          ? <>Claimed by <code>{task.claimedBy}</code>{task.leaseUntil && <> until {new Date(task.leaseUntil).toLocaleString()}</>}</>
          : <>Ready for an agent{task.capability && <> with <code>{task.capability}</code></>} since {new Date(task.since).toLocaleString()}</>}
      </p>
    </section>
  );
}
