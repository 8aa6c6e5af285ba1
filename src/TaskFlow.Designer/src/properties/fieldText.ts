import type { JsonValue } from '../mapping/definition';

/** How an input value shows in a text box: strings as they are, everything else as JSON. */
export function toText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** The value typed into a field of a schema type; undefined for an empty field. Text that is not JSON stays text. */
export function fromText(text: string, type: string | undefined): { value?: JsonValue; error?: string } {
  if (text.trim() === '') return {};
  if (type === 'string') return { value: text };
  if (type === 'integer' || type === 'number') {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? { value: n } : { value: text };
  }
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch {
    if (type === 'object' || type === 'array') {
      return /\{\{.*\}\}/s.test(text) ? { value: text } : { error: 'Not valid JSON.' };
    }
    return { value: text };
  }
}
