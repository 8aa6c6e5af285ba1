import { useRef, type ChangeEvent } from 'react';
import type { DefinitionResponse, DefinitionVersion, SampleSummary } from '../api/types';

interface ToolbarProps {
  title: string;
  dirty: boolean;
  busy: boolean;
  definitions: DefinitionResponse[];
  versions: DefinitionVersion[];
  samples: SampleSummary[];
  currentVersion: number | null;
  canUndo: boolean;
  canRedo: boolean;
  onNew: () => void;
  onOpen: (id: string) => void;
  onOpenVersion: (version: number) => void;
  onOpenSample: (id: string) => void;
  onSave: () => void;
  onValidate: () => void;
  onImport: (file: File) => void;
  onExport: () => void;
  onLayout: () => void;
  onUndo: () => void;
  onRedo: () => void;
}

// Marks the Open list's sample entries: a definition id never holds a colon (letters, digits, '-', '_', '.').
const samplePrefix = 'sample:';

/** File and edit commands: new, open, versions, save, validate, import, export, layout, undo, redo. */
export default function Toolbar(props: ToolbarProps) {
  const fileInput = useRef<HTMLInputElement>(null);
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) props.onImport(file);
    e.target.value = '';
  };
  const open = (value: string) => {
    if (value.startsWith(samplePrefix)) props.onOpenSample(value.slice(samplePrefix.length));
    else if (value) props.onOpen(value);
  };
  return (
    <header className="tf-toolbar" data-testid="toolbar">
      <strong className="tf-brand">TaskFlow</strong>
      <span className="tf-title" data-testid="title">{props.title}{props.dirty ? ' •' : ''}</span>
      <button onClick={props.onNew} data-testid="new">New</button>
      <select data-testid="open" value="" onChange={(e) => open(e.target.value)}>
        <option value="">Open…</option>
        {props.definitions.map((d) => <option key={d.id} value={d.id}>{d.name ? `${d.name} (${d.id})` : d.id}</option>)}
        {props.samples.length > 0 && (
          <optgroup label="Samples">
            {props.samples.map((s) => <option key={s.id} value={`${samplePrefix}${s.id}`}>{s.name}</option>)}
          </optgroup>
        )}
      </select>
      <select
        data-testid="versions"
        value={props.currentVersion ?? ''}
        disabled={props.versions.length === 0}
        onChange={(e) => e.target.value && props.onOpenVersion(Number(e.target.value))}
      >
        {props.currentVersion === null && <option value="">Versions</option>}
        {props.versions.map((v) => (
          <option key={v.version} value={v.version} title={new Date(v.createdAt).toLocaleString()}>v{v.version}{v.isPublished ? ' (published)' : ''}</option>
        ))}
      </select>
      <button onClick={props.onSave} disabled={props.busy} data-testid="save">Save</button>
      <button onClick={props.onValidate} disabled={props.busy} data-testid="validate">Validate</button>
      <button onClick={() => fileInput.current?.click()} data-testid="import">Import</button>
      <input ref={fileInput} type="file" accept=".json,application/json" hidden onChange={onFile} data-testid="import-file" />
      <button onClick={props.onExport} data-testid="export">Export</button>
      <button onClick={props.onLayout} data-testid="layout">Auto-layout</button>
      <button onClick={props.onUndo} disabled={!props.canUndo} data-testid="undo" title="Ctrl+Z">Undo</button>
      <button onClick={props.onRedo} disabled={!props.canRedo} data-testid="redo" title="Ctrl+Shift+Z">Redo</button>
    </header>
  );
}
