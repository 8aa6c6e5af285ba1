import { describe, expect, it } from 'vitest';
import type { ActivityDescriptor } from '../api/types';
import schema from '../../../../docs/workflow.schema.json';
import { completeJson, type Schema } from './jsonCompletion';

const activity = (type: string, inputs: Record<string, string>, outcomes = ['done']): ActivityDescriptor => ({
  type,
  displayName: type,
  category: 'Test',
  description: type,
  outcomes,
  pure: false,
  inputSchema: { type: 'object', properties: Object.fromEntries(Object.entries(inputs).map(([name, description]) => [name, { type: 'string', description }])), required: [] },
}) as ActivityDescriptor;

const context = {
  schema: schema as Schema,
  activities: new Map([
    ['http.request', activity('http.request', { url: 'Where to send it.', method: 'GET, POST, ...' })],
    ['approval', activity('approval', { title: 'What is to be decided.' }, ['approve', 'reject'])],
  ]),
  nodeIds: ['fetch', 'decide'],
};

/** Completion at the | in the text. */
const at = (text: string) => completeJson(text.replace('|', ''), text.indexOf('|'), context);
const labels = (text: string) => at(text)?.options.map((o) => o.label) ?? [];

describe('completeJson', () => {
  it('offers the definition members not yet written, from the schema', () => {
    const result = at('{ "id": "w", "|');
    expect(result?.options.map((o) => o.label)).toEqual(expect.arrayContaining(['nodes', 'edges', 'triggers', 'variables']));
    expect(result?.options.map((o) => o.label)).not.toContain('id');
    expect(result?.options.find((o) => o.label === 'nodes')?.apply).toBe('nodes": ');
  });

  it('offers a node its members, quoted when typed outside quotes', () => {
    const result = at('{ "nodes": [ { "id": "a", | ');
    expect(result?.options.map((o) => o.label)).toEqual(expect.arrayContaining(['type', 'inputs', 'retry', 'timeout']));
    expect(result?.options.find((o) => o.label === 'type')?.apply).toBe('"type": ');
  });

  it('offers the activity types for a node type', () => {
    expect(labels('{ "nodes": [ { "id": "a", "type": "|')).toEqual(['http.request', 'approval']);
  });

  it('offers the inputs the node\'s activity declares inside its inputs', () => {
    const result = at('{ "nodes": [ { "id": "a", "type": "http.request", "inputs": { "url": "x", "|');
    expect(result?.options.map((o) => o.label)).toEqual(['method']);
    expect(result?.options[0].info).toBe('GET, POST, ...');
  });

  it('offers node ids for an edge end and the source outcomes for its port', () => {
    expect(labels('{ "nodes": [], "edges": [ { "from": "|')).toEqual(['fetch', 'decide']);
    expect(labels('{ "nodes": [ { "id": "decide", "type": "approval" } ], "edges": [ { "from": "decide", "to": "fetch", "fromPort": "|" } ] }'))
      .toEqual(['done', 'error', 'approve', 'reject']);
  });

  it('offers the values the schema enumerates', () => {
    expect(labels('{ "triggers": [ { "type": "|')).toEqual(expect.arrayContaining(['manual', 'cron', 'http']));
  });

  it('offers nothing inside a value the schema does not describe', () => {
    expect(at('{ "nodes": [ { "id": "a", "type": "unknown", "inputs": { "|')).toBeNull();
    expect(at('not json |')).toBeNull();
  });
});
