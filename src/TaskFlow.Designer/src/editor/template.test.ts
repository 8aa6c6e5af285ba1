import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../mapping/definition';
import { completeTemplate, insidePlaceholder } from './templateCompletion';
import { templateProblems } from './templateLint';
import { templateScope } from './templateScope';

const definition: WorkflowDefinition = {
  id: 'w',
  inputs: { order: { type: 'string' } },
  nodes: [
    { id: 'sum', type: 'transform' },
    { id: 'remember', type: 'setVariable', inputs: { name: 'total', value: 1 } },
    { id: 'report', type: 'log' },
  ],
  edges: [],
};
const scope = templateScope(definition, new Map([['sum', { total: 3, lines: [{ sku: 'a' }] }]]));
const labels = (text: string, everywhere = false) => completeTemplate(text, text.length, scope, everywhere)?.options.map((o) => o.label);

describe('template completion', () => {
  it('offers the roots, declared inputs, variables and node ids', () => {
    expect(labels('{{ ')).toEqual(expect.arrayContaining(['input', 'vars', 'nodes', 'item']));
    expect(labels('Order {{ input.')).toEqual(['order']);
    expect(labels('{{ vars.')).toEqual(['total']);
    expect(labels('{{ nodes.r')).toEqual(['remember', 'report']);
  });

  it("offers a node's output fields from a run, an array's item fields too", () => {
    expect(labels('{{ nodes.sum.')).toEqual(['output']);
    expect(labels('{{ nodes.sum.output.')).toEqual(['total', 'lines']);
    expect(labels('{{ nodes.sum.output.lines.')).toEqual(['sku']);
    const result = completeTemplate('{{ nodes.sum.output.to', 22, scope)!;
    expect(result.from).toBe(20);
  });

  it('completes only inside placeholders, unless the field is an expression', () => {
    expect(labels('nodes.')).toBeUndefined();
    expect(labels('output.')).toBeUndefined();
    expect(labels('nodes.', true)).toEqual(['sum', 'remember', 'report']);
    expect(insidePlaceholder('{{ a }} b', 9)).toBe(false);
    expect(insidePlaceholder('{{ a }} {{ b', 12)).toBe(true);
  });
});

describe('template problems', () => {
  it('finds an unclosed placeholder, an unknown root and an unknown node', () => {
    expect(templateProblems('{{ input.order ', scope).map((p) => p.message)).toEqual(["This '{{' is never closed with '}}'."]);
    expect(templateProblems('{{ inputs.order }}', scope)[0]).toMatchObject({ from: 3, to: 9 });
    expect(templateProblems('{{ nodes.missing.output }}', scope)[0].message).toBe("There is no node 'missing' in this workflow.");
  });

  it('accepts functions, literals and strings', () => {
    expect(templateProblems("{{ length(nodes.sum.output.lines) > 0 ? 'many' : upper('x.y') }}", scope)).toEqual([]);
    expect(templateProblems('plain text with no placeholder', scope)).toEqual([]);
    expect(templateProblems('output.total > 2 && true', scope, true)).toEqual([]);
  });
});
