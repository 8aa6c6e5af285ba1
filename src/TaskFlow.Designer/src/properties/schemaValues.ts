import type { InputSchema, JsonSchemaProperty } from '../api/types';
import type { JsonObject, JsonValue } from '../mapping/definition';

/** The inputs a new node starts with: each required input's default. */
export function defaultInputs(schema: InputSchema | undefined): JsonObject {
  const inputs: JsonObject = {};
  for (const name of schema?.required ?? []) {
    const property = schema?.properties[name];
    if (property?.default !== undefined) inputs[name] = property.default;
  }
  return inputs;
}

const template = /\{\{.*\}\}/s;

/** What is wrong with one input value against its schema property, or null. Templates stand for any type. */
export function inputProblem(name: string, value: JsonValue | undefined, property: JsonSchemaProperty, required: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    return required ? `'${name}' is required.` : null;
  }
  if (typeof value === 'string' && template.test(value)) return null;
  if (property.enum && !property.enum.includes(String(value))) {
    return `'${name}' must be one of ${property.enum.join(', ')}.`;
  }
  switch (property.type) {
    case 'string':
      return typeof value === 'string' ? null : `'${name}' must be text.`;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? null : `'${name}' must be a whole number.`;
    case 'number':
      return typeof value === 'number' ? null : `'${name}' must be a number.`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `'${name}' must be true or false.`;
    case 'array':
      return Array.isArray(value) ? null : `'${name}' must be a list.`;
    case 'object':
      return typeof value === 'object' && !Array.isArray(value) ? null : `'${name}' must be an object.`;
    default:
      return null;
  }
}

/** Every problem of a node's inputs against its activity's schema, by input name. */
export function inputProblems(inputs: JsonObject | undefined, schema: InputSchema | undefined): Map<string, string> {
  const problems = new Map<string, string>();
  if (!schema) return problems;
  for (const [name, property] of Object.entries(schema.properties)) {
    const problem = inputProblem(name, inputs?.[name], property, schema.required.includes(name));
    if (problem) problems.set(name, problem);
  }
  for (const name of Object.keys(inputs ?? {})) {
    if (!(name in schema.properties)) problems.set(name, `'${name}' is not an input of this activity.`);
  }
  return problems;
}
