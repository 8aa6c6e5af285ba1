import { describe, expect, it } from 'vitest';
import { failureReason, parseAgentOutput } from './agentOutput';

describe('parseAgentOutput', () => {
  it('reads JSON values of any kind', () => {
    expect(parseAgentOutput('{ "answer": 42 }')).toEqual({ ok: true, value: { answer: 42 } });
    expect(parseAgentOutput('[1, "two"]')).toEqual({ ok: true, value: [1, 'two'] });
    expect(parseAgentOutput('"done"')).toEqual({ ok: true, value: 'done' });
  });

  it('reads nothing as null', () => {
    expect(parseAgentOutput('  \n')).toEqual({ ok: true, value: null });
  });

  it('names the problem with text that is not JSON', () => {
    const result = parseAgentOutput('{ answer: 42 }');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/^The output is not JSON: /);
  });
});

describe('failureReason', () => {
  it('needs a reason', () => {
    expect(failureReason('   ')).toEqual({ ok: false, problem: 'Say why the task failed.' });
    expect(failureReason(' timed out upstream ')).toEqual({ ok: true, value: 'timed out upstream' });
  });
});
