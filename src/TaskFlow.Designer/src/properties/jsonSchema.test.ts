import { describe, expect, it } from 'vitest';
import { toInputSchema } from './jsonSchema';

describe('toInputSchema', () => {
  it('takes the first type that is not null, and enums as text', () => {
    const schema = toInputSchema({
      type: 'object',
      properties: { message: { type: 'string' }, count: { type: ['null', 'integer'] }, mode: { enum: ['a', 'b', null] } },
      required: ['message'],
    });
    expect(schema.properties.message.type).toBe('string');
    expect(schema.properties.count.type).toBe('integer');
    expect(schema.properties.mode.enum).toEqual(['a', 'b']);
    expect(schema.required).toEqual(['message']);
  });

  it('is empty for a tool without a schema', () => {
    expect(toInputSchema(undefined)).toEqual({ type: 'object', properties: {}, required: [] });
  });
});
