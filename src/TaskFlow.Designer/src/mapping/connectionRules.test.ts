import { describe, expect, it } from 'vitest';
import { connectionProblem } from './connectionRules';

//   a ──> b ──> c
const chain = [
  { source: 'a', target: 'b', sourceHandle: 'done' },
  { source: 'b', target: 'c', sourceHandle: 'done' },
];

describe('connectionProblem', () => {
  it('NewForkBranch_IsAllowed', () => {
    expect(connectionProblem({ source: 'a', target: 'c', sourceHandle: 'done' }, chain)).toBeNull();
  });

  it('SelfLoop_IsRefused', () => {
    expect(connectionProblem({ source: 'b', target: 'b', sourceHandle: 'done' }, chain)).toMatch(/itself/);
  });

  it('DuplicateEdge_IsRefused', () => {
    expect(connectionProblem({ source: 'a', target: 'b', sourceHandle: 'done' }, chain)).toMatch(/already connected/);
  });

  it('IntoStartNode_IsRefused', () => {
    expect(connectionProblem({ source: 'c', target: 'a', sourceHandle: 'done' }, chain)).toMatch(/start node/);
  });

  it('BackIntoAnAncestor_IsRefusedAsACycle', () => {
    expect(connectionProblem({ source: 'c', target: 'b', sourceHandle: 'done' }, chain)).toMatch(/cycle/);
  });

  it('SecondEdgeFromAnExclusiveOutcomePort_IsRefused', () => {
    const edges = [...chain, { source: 'a', target: 'c', sourceHandle: 'failed' }];

    expect(connectionProblem({ source: 'a', target: 'd', sourceHandle: 'failed' }, edges)).toMatch(/already used/);
  });
});
