import { describe, expect, it } from 'vitest';
import { connectionProblem, isBackConnection } from './connectionRules';

//   a ──> b ──> c
const chain = [
  { source: 'a', target: 'b', sourceHandle: 'done' },
  { source: 'b', target: 'c', sourceHandle: 'done' },
];

describe('connectionProblem', () => {
  it('NewForkBranch_IsAllowed', () => {
    expect(connectionProblem({ source: 'a', target: 'c', sourceHandle: 'done' }, chain)).toBeNull();
  });

  it('SelfLoop_IsAllowed_AsALoopEdge', () => {
    expect(connectionProblem({ source: 'b', target: 'b', sourceHandle: 'done' }, chain)).toBeNull();
    expect(isBackConnection({ source: 'b', target: 'b', sourceHandle: 'done' }, chain)).toBe(true);
  });

  it('DuplicateEdge_IsRefused', () => {
    expect(connectionProblem({ source: 'a', target: 'b', sourceHandle: 'done' }, chain)).toMatch(/already connected/);
  });

  it('BackIntoAStartNode_IsAllowed_AsALoopEdge', () => {
    expect(connectionProblem({ source: 'c', target: 'a', sourceHandle: 'done' }, chain)).toBeNull();
    expect(isBackConnection({ source: 'c', target: 'a', sourceHandle: 'done' }, chain)).toBe(true);
  });

  it('BackIntoAnAncestor_IsAllowed_AsALoopEdge', () => {
    expect(connectionProblem({ source: 'c', target: 'b', sourceHandle: 'done' }, chain)).toBeNull();
    expect(isBackConnection({ source: 'c', target: 'b', sourceHandle: 'done' }, chain)).toBe(true);
    expect(isBackConnection({ source: 'a', target: 'c', sourceHandle: 'done' }, chain)).toBe(false);
  });

  it('ALoopEdge_DoesNotMakeLaterForwardEdgesCycles', () => {
    const looped = [...chain, { source: 'c', target: 'b', sourceHandle: 'looped', data: { loop: true } }];

    expect(connectionProblem({ source: 'b', target: 'c', sourceHandle: 'other' }, looped)).toBeNull();
    expect(isBackConnection({ source: 'a', target: 'c', sourceHandle: 'x' }, looped)).toBe(false);
  });

  it('SecondEdgeFromAnExclusiveOutcomePort_IsRefused', () => {
    const edges = [...chain, { source: 'a', target: 'c', sourceHandle: 'failed' }];

    expect(connectionProblem({ source: 'a', target: 'd', sourceHandle: 'failed' }, edges)).toMatch(/already used/);
  });
});
