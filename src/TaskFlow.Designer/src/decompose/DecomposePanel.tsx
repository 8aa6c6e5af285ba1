import { useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { decompose } from '../api/endpoints';
import type { DecomposeResponse, DecomposeStrategy, DecomposeSubtask } from '../api/types';
import TextField from '../properties/TextField';

const strategies: DecomposeStrategy[] = ['auto', 'parallel', 'hierarchical', 'recursive', 'sequential'];

interface DecomposePanelProps {
  generated: DecomposeResponse | null;
  onGenerated: (response: DecomposeResponse) => void;
}

/** A task and a strategy become a workflow on the canvas, to edit and save like any other. */
export default function DecomposePanel({ generated, onGenerated }: DecomposePanelProps) {
  const [id, setId] = useState('my-task');
  const [description, setDescription] = useState('');
  const [complexity, setComplexity] = useState('40');
  const [strategy, setStrategy] = useState<DecomposeStrategy>('auto');
  const [subtasks, setSubtasks] = useState('');
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);

  const subtaskProblem = (text: string) => {
    if (text.trim() === '') return null;
    try {
      return Array.isArray(JSON.parse(text)) ? null : 'A JSON list of subtasks.';
    } catch {
      return 'Not valid JSON.';
    }
  };

  const generate = async () => {
    setBusy(true);
    setProblems([]);
    try {
      const list = subtasks.trim() ? (JSON.parse(subtasks) as DecomposeSubtask[]) : undefined;
      const task = { id, description, complexity: Number(complexity) || undefined, ...(list ? { subtasks: list } : {}) };
      onGenerated(await decompose({ task, strategy, save: false }));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setProblems(['This server has no decomposition endpoint (POST /api/decompose).']);
      else setProblems(e instanceof ApiError ? e.problems.map((p) => (p.target ? `${p.target}: ${p.message}` : p.message)) : [errorMessage(e)]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="tf-decompose" data-testid="decompose-panel">
      <TextField label="Task id" testId="decompose-id" value={id} onCommit={setId}
        check={(t) => (/^[A-Za-z0-9._-]+$/.test(t) ? null : "Letters, digits, '-', '_' and '.' only.")} />
      <TextField label="Task" testId="decompose-description" multiline value={description} onCommit={setDescription}
        hint="What to do; a list of steps in it becomes subtasks." />
      <TextField label="Complexity (0-100)" testId="decompose-complexity" value={complexity} onCommit={setComplexity}
        check={(t) => (t.trim() === '' || /^\d+$/.test(t.trim()) ? null : 'A whole number.')} />
      <label className="tf-field">
        <span className="tf-field-label">Strategy</span>
        <select data-testid="decompose-strategy" value={strategy} onChange={(e) => setStrategy(e.target.value as DecomposeStrategy)}>
          {strategies.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      <TextField label="Subtasks (optional JSON list)" testId="decompose-subtasks" multiline value={subtasks} onCommit={setSubtasks} check={subtaskProblem}
        hint='[{ "id": "a", "description": "...", "dependencies": [] }]' />
      <button data-testid="decompose-generate" disabled={busy || description.trim() === ''} onClick={() => void generate()}>Generate</button>
      {problems.length > 0 && <ul className="tf-problems" data-testid="decompose-problems">{problems.map((p, i) => <li key={i}>{p}</li>)}</ul>}
      {generated && (
        <div data-testid="decompose-result">
          <p>Strategy <strong data-testid="decompose-strategy-used">{generated.strategy}</strong>, {generated.subtasks.length} subtasks; on the canvas: <code>{generated.root}</code>.</p>
          {generated.definitions.length > 1 && (
            <p className="tf-hint">Saving also stores its {generated.definitions.length - 1} child workflow(s) first: {generated.definitions.filter((d) => d.id !== generated.root).map((d) => d.id).join(', ')}.</p>
          )}
        </div>
      )}
    </div>
  );
}
