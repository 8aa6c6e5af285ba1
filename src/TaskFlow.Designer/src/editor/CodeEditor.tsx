import { autocompletion, completionKeymap, type CompletionContext } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { bracketMatching, syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language';
import { forceLinting, linter, type Diagnostic } from '@codemirror/lint';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderText } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { completeTemplate } from './templateCompletion';
import type { TextProblem } from './templateLint';
import type { ScopeTree } from './templateScope';

export interface CodeEditorProps {
  value: string;
  testId: string;
  /** json: the JSON tab; template: text with {{ }} placeholders; expression: a bare expression (an edge condition). */
  mode: 'json' | 'template' | 'expression';
  multiline: boolean;
  scope?: ScopeTree;
  invalid?: boolean;
  label?: string;
  placeholder?: string;
  /** Problems to underline as the text is typed. */
  lint?: (text: string) => TextProblem[];
  /** For the JSON tab: what to offer at a position (member names, values). */
  complete?: (text: string, pos: number) => { from: number; options: { label: string; apply: string; detail?: string; info?: string }[] } | null;
  onChange?: (text: string) => void;
  /** Leaving the editor, or Enter in a single-line one. */
  onCommit?: (text: string) => void;
}

/**
 * CodeMirror 6, loaded only when a field needs it: syntax highlighting for JSON, completion of
 * `input.`, `vars.`, `nodes.<id>.output.` and the other roots in templates, and problems underlined
 * as they are typed. The editable element carries <testId>, so it is found and typed into like a
 * text box.
 */
export default function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The editor is made once; what changes later is read through this.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const { mode, multiline, testId } = latest.current;
    const commit = () => latest.current.onCommit?.(view.current?.state.doc.toString() ?? '');
    const extensions: Extension[] = [
      history(),
      keymap.of([
        ...completionKeymap,
        ...(multiline ? [] : [{ key: 'Enter', run: () => { commit(); return true; } }]),
        ...defaultKeymap,
        ...historyKeymap,
      ]),
      bracketMatching(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) latest.current.onChange?.(update.state.doc.toString());
      }),
      EditorView.domEventHandlers({ blur: () => { commit(); return false; } }),
      EditorView.contentAttributes.of({ 'data-testid': testId, 'aria-label': latest.current.label ?? testId, spellcheck: 'false' }),
      linter((v): Diagnostic[] => (latest.current.lint?.(v.state.doc.toString()) ?? []).map((p) => ({ ...p, severity: 'error' })), { delay: 250 }),
    ];
    if (multiline) extensions.push(EditorView.lineWrapping);
    // One line: a pasted or typed line break is dropped.
    else extensions.push(EditorState.transactionFilter.of((tr) => (tr.docChanged && tr.newDoc.lines > 1 ? [] : tr)));
    if (mode === 'json') {
      extensions.push(json(), autocompletion({
        activateOnTyping: true,
        override: [(context: CompletionContext) => {
          const result = latest.current.complete?.(context.state.doc.toString(), context.pos);
          if (!result || (result.from === context.pos && !context.explicit && !/["{,]\s*$/.test(context.state.doc.sliceString(Math.max(0, context.pos - 3), context.pos)))) return null;
          return { from: result.from, options: result.options.map((o) => ({ label: o.label, apply: o.apply, detail: o.detail, info: o.info, type: 'property' })), validFor: /^[\w$.-]*$/ };
        }],
      }));
    } else {
      extensions.push(autocompletion({
        activateOnTyping: true,
        override: [(context: CompletionContext) => {
          const scope = latest.current.scope;
          if (!scope) return null;
          const result = completeTemplate(context.state.doc.toString(), context.pos, scope, mode === 'expression');
          return result && { from: result.from, options: result.options.map((o) => ({ label: o.label, detail: o.detail, type: o.detail ? 'namespace' : 'property' })), validFor: /^[\w$-]*$/ };
        }],
      }));
    }
    if (latest.current.placeholder) extensions.push(placeholderText(latest.current.placeholder));
    view.current = new EditorView({ parent: host.current!, state: EditorState.create({ doc: latest.current.value, extensions }) });
    return () => {
      view.current?.destroy();
      view.current = null;
    };
  }, []);

  // Problems that changed without the text (a validation answered) are underlined at once.
  useEffect(() => {
    if (view.current) forceLinting(view.current);
  }, [props.lint]);

  // A value changed from outside (undo, another selection) replaces the text.
  useEffect(() => {
    const current = view.current;
    if (current && current.state.doc.toString() !== props.value) {
      current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

  return <div ref={host} className={`tf-code ${props.multiline ? 'multiline' : 'single'}${props.invalid ? ' invalid' : ''}`} data-mode={props.mode} />;
}
