import type { JsonValue } from '../mapping/definition';

/** What a person typed as an agent task's output: a JSON value, or why it is not one. */
export type AgentOutput = { ok: true; value: JsonValue } | { ok: false; problem: string };

/** Reads the output a person typed: empty is null, anything else must be JSON. */
export function parseAgentOutput(text: string): AgentOutput {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (e) {
    return { ok: false, problem: `The output is not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The reason a person gave for failing a task, or why it cannot be sent. */
export function failureReason(text: string): { ok: true; value: string } | { ok: false; problem: string } {
  const reason = text.trim();
  return reason === '' ? { ok: false, problem: 'Say why the task failed.' } : { ok: true, value: reason };
}
