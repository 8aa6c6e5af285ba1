import { describe, expect, it } from 'vitest';
import { serverProblemsInText } from './serverProblems';

const text = JSON.stringify({
  id: 'w',
  nodes: [{ id: 'fetch', type: 'http.request', inputs: { url: 'x' } }, { id: 'after', type: 'noop' }],
  edges: [{ from: 'fetch', to: 'after' }, { id: 'named', from: 'after', to: 'fetch' }],
  triggers: [{ type: 'cron', cron: 'bad' }],
}, null, 2);

const marked = (target: string) => {
  const [problem] = serverProblemsInText(text, [{ code: 'x.code', target, message: 'Wrong.' }]);
  return problem && text.slice(problem.from, problem.to);
};

describe('serverProblemsInText', () => {
  it('marks a node\'s id, and the input a problem names', () => {
    expect(marked("node 'after'")).toBe('"id": "after"');
    expect(marked("node 'fetch' input 'url'")).toBe('"url": "x"');
    expect(marked("node 'fetch' input 'missing'")).toMatch(/^"inputs": \{/);
  });

  it('marks an edge by from->to or by its id', () => {
    expect(marked("edge 'fetch->after'")).toBe('"from": "fetch"');
    expect(marked("edge 'named'")).toBe('"id": "named"');
  });

  it('marks a trigger by its number and a $ path by its deepest written member', () => {
    expect(marked('trigger #1')).toBe('{');
    expect(marked('$.nodes[1].type')).toBe('"type": "noop"');
    expect(marked('$.nodes[1].retry.max')).toBe('{');
  });

  it('says the code and message, and leaves out what names nothing in the text', () => {
    const placed = serverProblemsInText(text, [{ code: 'node.unknown', target: "node 'gone'", message: 'No such node.' }, { target: "node 'after'", message: 'Plain.' }]);
    expect(placed).toHaveLength(1);
    expect(placed[0].message).toBe('Plain.');
  });
});
