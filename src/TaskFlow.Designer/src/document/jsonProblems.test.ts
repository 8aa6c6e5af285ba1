import { describe, expect, it } from 'vitest';
import { jsonProblems } from './jsonProblems';

describe('jsonProblems', () => {
  it('is empty for valid JSON', () => {
    expect(jsonProblems('{ "id": "a", "nodes": [] }')).toEqual([]);
  });

  it('points at where the text stops parsing, with the parser message', () => {
    const text = '{ "id": "a", "nodes": [ }';
    const [problem] = jsonProblems(text);
    expect(problem.message).toMatch(/^Not valid JSON: /);
    expect(problem.from).toBe(text.indexOf('}'));
    expect(problem.to).toBe(problem.from + 1);
  });

  it('marks the last character when the text ends too early', () => {
    const text = '{ "id": "a"';
    const [problem] = jsonProblems(text);
    expect(problem.to).toBe(text.length);
    expect(problem.from).toBeLessThan(problem.to);
  });
});
