import { describe, expect, it } from 'vitest';
import type { InputSchema } from '../api/types';
import { defaultInputs, inputProblems } from './schemaValues';

const join: InputSchema = { type: 'object', properties: { mode: { type: 'string', default: 'WaitAll', enum: ['WaitAll', 'WaitAllActive', 'WaitAny'] } }, required: [] };
const forEach: InputSchema = {
  type: 'object',
  properties: { items: { type: 'array' }, body: { type: 'object' }, maxParallelism: { type: 'integer', default: 10 } },
  required: ['items', 'body'],
};

describe('schemaValues', () => {
  it('DefaultInputs_TakesRequiredDefaultsOnly', () => {
    expect(defaultInputs(join)).toEqual({});
    expect(defaultInputs({ ...join, required: ['mode'] })).toEqual({ mode: 'WaitAll' });
  });

  it('InputProblems_RequiredMissingWrongTypeAndUnknown_AreListed', () => {
    const problems = inputProblems({ items: 'not a list', maxParallelism: 2.5, extra: 1 }, forEach);

    expect([...problems.keys()].sort()).toEqual(['body', 'extra', 'items', 'maxParallelism']);
    expect(problems.get('body')).toMatch(/required/);
  });

  it('InputProblems_TemplatesAndEnumValues_AreAccepted', () => {
    expect(inputProblems({ items: '{{ nodes.a.output }}', body: { type: 'noop' } }, forEach).size).toBe(0);
    expect(inputProblems({ mode: 'WaitAny' }, join).size).toBe(0);
    expect(inputProblems({ mode: 'Sometimes' }, join).get('mode')).toMatch(/one of/);
  });
});
