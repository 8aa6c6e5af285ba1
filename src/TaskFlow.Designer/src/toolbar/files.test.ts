import { describe, expect, it } from 'vitest';
import { isElsaDocument } from './files';

describe('isElsaDocument', () => {
  it('ElsaFlowchart_IsRecognised_TaskFlowDefinitionIsNot', () => {
    expect(isElsaDocument({ definitionId: 'x', root: { type: 'Elsa.Flowchart', activities: [] } })).toBe(true);
    expect(isElsaDocument({ root: { type: 'Elsa.Flowchart' } })).toBe(true);
    expect(isElsaDocument({ id: 'x', nodes: [], edges: [] })).toBe(false);
    expect(isElsaDocument(null)).toBe(false);
  });
});
