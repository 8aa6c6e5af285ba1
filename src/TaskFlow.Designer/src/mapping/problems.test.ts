import { describe, expect, it } from 'vitest';
import { problemsByNode, toProblems } from './problems';

describe('problems', () => {
  it('ValidationProblems_AreGroupedByTheNodeTheyName', () => {
    const problems = toProblems([
      { code: 'node.unknownType', target: "node 'b'", message: 'Unknown activity.' },
      { code: 'edge.dangling', target: "edge 'a->zz'", message: 'Dangling.' },
      { code: 'definition.id', target: '$', message: 'No id.' },
    ]);

    const grouped = problemsByNode(problems, ['a', 'b']);

    expect(grouped.get('b')!.map((p) => p.message)).toEqual(['Unknown activity.']);
    expect(grouped.get('a')!.map((p) => p.message)).toEqual(['Dangling.']);
    expect(grouped.get('')!.map((p) => p.message)).toEqual(['No id.']);
  });

  it('TextErrorsOrDetailOnly_BecomeProblems', () => {
    expect(toProblems(['one', 'two'])).toEqual([{ message: 'one' }, { message: 'two' }]);
    expect(toProblems(undefined, 'detail')).toEqual([{ message: 'detail' }]);
  });
});
