import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import { claimAgentTask, completeAgentTask, failAgentTask, listAgentTasks } from '../api/endpoints';
import type { AgentTask } from '../api/types';
import { failureReason, parseAgentOutput } from './agentOutput';

const statuses: [string, string][] = [['', 'Not finished'], ['ready', 'Ready'], ['claimed', 'Claimed'], ['completed', 'Completed'], ['failed', 'Failed'], ['timedOut', 'Timed out']];

/** Agent tasks: list them by status and capability, and claim, complete or fail one by hand. */
export default function AgentTasksPanel() {
  const [status, setStatus] = useState('');
  const [capability, setCapability] = useState('');
  const [agent, setAgent] = useState('designer');
  const [items, setItems] = useState<AgentTask[]>([]);
  const [error, setError] = useState<string | null>(null);
  // Lease tokens of the tasks claimed here: only the claimer can finish a task.
  const [leases, setLeases] = useState<Record<string, string>>({});
  const latest = useRef(0);

  const load = useCallback(async () => {
    const request = ++latest.current;
    try {
      const tasks = await listAgentTasks(status || undefined, capability.trim() || undefined);
      if (request !== latest.current) return;
      setItems(tasks);
      setError(null);
    } catch (e) {
      if (request === latest.current) setError(errorMessage(e));
    }
  }, [status, capability]);

  useEffect(() => {
    const timer = setTimeout(() => void load(), 250);
    return () => clearTimeout(timer);
  }, [load]);

  const claim = async (task: AgentTask) => {
    try {
      const claimed = await claimAgentTask(task.id, agent.trim() || 'designer');
      setLeases((current) => ({ ...current, [task.id]: claimed.leaseToken }));
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const finish = async (task: AgentTask, send: (token: string) => Promise<unknown>) => {
    const token = leases[task.id];
    if (!token) return;
    try {
      await send(token);
      setLeases(({ [task.id]: _done, ...rest }) => rest);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <section className="tf-agent-tasks" data-testid="agent-tasks">
      <div className="tf-row">
        <h3>Agent tasks ({items.length})</h3>
        <button onClick={() => void load()} data-testid="agent-tasks-refresh">Refresh</button>
      </div>
      <label className="tf-field">Status
        <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="agent-tasks-status">
          {statuses.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </label>
      <label className="tf-field">Capability
        <input value={capability} onChange={(e) => setCapability(e.target.value)} placeholder="any" data-testid="agent-tasks-capability" />
      </label>
      <label className="tf-field">Claim as
        <input value={agent} onChange={(e) => setAgent(e.target.value)} data-testid="agent-tasks-agent" />
      </label>
      {error && <p className="tf-field-error" data-testid="agent-tasks-error">{error}</p>}
      {items.length === 0 && !error && <p className="tf-hint">No agent tasks.</p>}
      {items.map((task) => (
        <AgentTaskCard key={task.id} task={task} leaseToken={leases[task.id]}
          onClaim={() => void claim(task)}
          onComplete={(output) => void finish(task, (token) => completeAgentTask(task.id, token, output))}
          onFail={(reason) => void finish(task, (token) => failAgentTask(task.id, token, reason))} />
      ))}
    </section>
  );
}

interface AgentTaskCardProps {
  task: AgentTask;
  leaseToken: string | undefined;
  onClaim: () => void;
  onComplete: (output: unknown) => void;
  onFail: (reason: string) => void;
}

/** One agent task: where it waits, and what a person can do with it. */
function AgentTaskCard({ task, leaseToken, onClaim, onComplete, onFail }: AgentTaskCardProps) {
  const [output, setOutput] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const complete = () => {
    const parsed = parseAgentOutput(output);
    if (!parsed.ok) return setProblem(parsed.problem);
    setProblem(null);
    onComplete(parsed.value);
  };
  const fail = () => {
    const parsed = failureReason(reason);
    if (!parsed.ok) return setProblem(parsed.problem);
    setProblem(null);
    onFail(parsed.value);
  };

  return (
    <div className="tf-agent-task" data-testid={`agent-task-${task.id}`}>
      <div className="tf-row">
        <strong>{task.title || task.nodeId}</strong>
        <span className="tf-hint">{task.status}{task.claimedBy ? ` by ${task.claimedBy}` : ''}</span>
      </div>
      <div className="tf-hint">Instance {task.instanceId}, node {task.nodeId}{task.capability ? `, needs ${task.capability}` : ''}</div>
      {task.description && <p>{task.description}</p>}
      {task.input != null && <pre className="tf-json">{JSON.stringify(task.input, null, 2)}</pre>}
      {task.status === 'ready' && <button onClick={onClaim} data-testid="agent-task-claim">Claim</button>}
      {task.status === 'claimed' && leaseToken && (
        <>
          <label className="tf-field">Output (JSON)
            <textarea value={output} onChange={(e) => setOutput(e.target.value)} rows={4} data-testid="agent-task-output" />
          </label>
          <button onClick={complete} data-testid="agent-task-complete">Complete</button>
          <label className="tf-field">Why it failed
            <input value={reason} onChange={(e) => setReason(e.target.value)} data-testid="agent-task-reason" />
          </label>
          <button onClick={fail} data-testid="agent-task-fail">Fail</button>
        </>
      )}
      {task.status === 'claimed' && !leaseToken && <p className="tf-hint">Claimed elsewhere: only its claimer can finish it.</p>}
      {problem && <p className="tf-field-error">{problem}</p>}
    </div>
  );
}
