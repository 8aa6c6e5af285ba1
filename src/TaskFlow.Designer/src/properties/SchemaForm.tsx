import type { InputSchema } from '../api/types';
import type { JsonObject, JsonValue } from '../mapping/definition';
import { fromText, toText } from './fieldText';
import { inputProblems } from './schemaValues';
import TemplateField from '../editor/TemplateField';
import TextField from './TextField';

interface SchemaFormProps {
  nodeId: string;
  schema: InputSchema;
  inputs: JsonObject;
  onChange: (inputs: JsonObject) => void;
  /** Left out of the form (another editor shows them). */
  omit?: readonly string[];
  /** Starts each field's test id; `input-` unless the form is for something else (a tool's arguments). */
  testIdPrefix?: string;
  /** The values are templates (a node's inputs): edited with completion of what the workflow can name. */
  templates?: boolean;
}

/** A form generated from an activity's input schema: a select for enums, a check box for booleans, text (or JSON) otherwise. */
export default function SchemaForm({ nodeId, schema, inputs, onChange, omit = [], testIdPrefix = 'input-', templates = false }: SchemaFormProps) {
  const Field = templates ? TemplateField : TextField;
  const problems = inputProblems(inputs, schema);
  const set = (name: string, value: JsonValue | undefined) => {
    const next = { ...inputs };
    if (value === undefined) delete next[name];
    else next[name] = value;
    onChange(next);
  };

  return (
    <div className="tf-schema-form" data-testid="schema-form">
      {Object.entries(schema.properties).filter(([name]) => !omit.includes(name)).map(([name, property]) => {
        const required = schema.required.includes(name);
        const label = `${name}${required ? ' *' : ''}`;
        const testId = `${testIdPrefix}${name}`;
        if (property.enum) {
          const value = inputs[name] ?? property.default ?? '';
          return (
            <label className="tf-field" key={name}>
              <span className="tf-field-label">{label}</span>
              <select data-testid={testId} value={String(value)} onChange={(e) => set(name, e.target.value)}>
                {!required && property.default === undefined && <option value="">(none)</option>}
                {property.enum.map((v) => <option key={v} value={v}>{v}</option>)}
              </select>
              {property.description && <span className="tf-field-hint">{property.description}</span>}
            </label>
          );
        }
        if (property.type === 'boolean') {
          return (
            <label className="tf-field tf-check" key={name}>
              <input type="checkbox" data-testid={testId} checked={inputs[name] === true} onChange={(e) => set(name, e.target.checked)} />
              <span className="tf-field-label">{label}</span>
            </label>
          );
        }
        return (
          <Field
            key={`${nodeId}-${name}`}
            label={label}
            testId={testId}
            value={toText(inputs[name])}
            multiline={property.type !== 'string' && property.type !== 'integer' && property.type !== 'number'}
            hint={property.description}
            error={problems.get(name)}
            check={(text) => fromText(text, property.type).error ?? null}
            onCommit={(text) => set(name, fromText(text, property.type).value)}
          />
        );
      })}
    </div>
  );
}
