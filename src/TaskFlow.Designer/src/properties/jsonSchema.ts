import type { InputSchema, JsonSchemaObject, JsonSchemaProperty } from '../api/types';

/**
 * A JSON Schema object (a tool's input schema, an approval's form) as the designer's forms take it: one type per property (the first that
 * is not null), enums as text. Anything else of JSON Schema is left to the server to check.
 */
export function toInputSchema(schema: JsonSchemaObject | null | undefined): InputSchema {
  const properties: Record<string, JsonSchemaProperty> = {};
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    const types = Array.isArray(property.type) ? property.type : property.type ? [property.type] : [];
    properties[name] = {
      type: types.find((t) => t !== 'null'),
      description: property.description,
      default: property.default,
      enum: property.enum?.filter((v) => v !== null).map(String),
    };
  }
  return { type: 'object', properties, required: schema?.required ?? [] };
}
