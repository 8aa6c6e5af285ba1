import { useCallback, useState } from 'react';
import { ApiError, api, errorMessage } from '../api/client';
import { getDefinition, getSample, importElsa, saveDefinition } from '../api/endpoints';
import type { DecomposeResponse } from '../api/types';
import { blankDefinition, type DesignerDocument } from '../document/useDesignerDocument';
import type { WorkflowDefinition } from '../mapping/definition';
import type { Problem } from '../mapping/problems';
import { isElsaDocument } from '../toolbar/files';
import { useStoredDefinitions } from './useStoredDefinitions';

export type Say = (text: string, kind?: 'info' | 'error') => void;

export interface StoredVersion {
  id: string;
  version: number;
}

/**
 * The definition on the canvas as a document: new, open (any version), save (children of a
 * decomposed task first), validate and import, with the server's problems for the canvas.
 * <paramref name="onReplaced"/> runs whenever another definition replaces the one shown.
 */
export function useWorkflowFile(document: DesignerDocument, enabled: boolean, say: Say, onReplaced: () => void) {
  const [stored, setStored] = useState<StoredVersion | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const [decomposed, setDecomposed] = useState<DecomposeResponse | null>(null);
  const storage = useStoredDefinitions(enabled, stored?.id ?? null);

  // A definition without a stored layout is laid out by elkjs once it is on the canvas.
  const show = useCallback((definition: WorkflowDefinition, options?: { dirty?: boolean; keepHistory?: boolean }) => {
    setProblems([]);
    onReplaced();
    if (document.load(definition, options) && definition.nodes.length > 0) void document.layout(false);
  }, [document, onReplaced]);

  const startNew = useCallback(() => {
    setStored(null);
    setDecomposed(null);
    show(blankDefinition);
  }, [show]);

  const open = useCallback(async (id: string, version?: number) => {
    try {
      const response = await getDefinition(id, version);
      setDecomposed(null);
      show(response.definition);
      setStored({ id: response.id, version: response.version });
      say(`Opened ${response.id} v${response.version}.`);
      return true;
    } catch (e) {
      say(errorMessage(e), 'error');
      return false;
    }
  }, [say, show]);

  /** Opens one of the server's samples as a new, unsaved definition. */
  const openSample = useCallback(async (id: string) => {
    try {
      const definition = await getSample(id);
      setStored(null);
      setDecomposed(null);
      show(definition, { dirty: true });
      say(`Opened the sample ${definition.name ?? definition.id}. Save to store it, then run it.`);
    } catch (e) {
      say(errorMessage(e), 'error');
    }
  }, [say, show]);

  const save = useCallback(async (): Promise<StoredVersion | null> => {
    setBusy(true);
    try {
      // Child workflows of a decomposed task first, so the root's references resolve.
      for (const child of decomposed?.definitions.filter((d) => d.id !== decomposed.root) ?? []) {
        await saveDefinition(child);
      }
      const saved = await saveDefinition(document.toDefinition());
      setProblems([]);
      setDecomposed(null);
      setStored({ id: saved.id, version: saved.version });
      document.setDirty(false);
      await storage.refresh();
      say(`Saved ${saved.id} as version ${saved.version}.`);
      return { id: saved.id, version: saved.version };
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) {
        setProblems(e.problems);
        say(`Not saved: ${e.problems.length} problem(s). ${e.problems[0]?.message ?? ''}`, 'error');
      } else {
        say(`Not saved: ${errorMessage(e)}`, 'error');
      }
      return null;
    } finally {
      setBusy(false);
    }
  }, [decomposed, document, say, storage]);

  const validate = useCallback(async () => {
    try {
      const result = await api<{ valid: boolean; problems: Problem[] }>('POST', '/api/validate', document.toDefinition());
      setProblems(result.problems);
      say(result.valid ? 'The workflow is valid.' : `${result.problems.length} problem(s).`, result.valid ? 'info' : 'error');
    } catch (e) {
      say(errorMessage(e), 'error');
    }
  }, [document, say]);

  const importFile = useCallback(async (file: File) => {
    try {
      const parsed: unknown = JSON.parse(await file.text());
      if (isElsaDocument(parsed)) {
        const converted = await importElsa(parsed);
        show(converted.definition, { dirty: true, keepHistory: true });
        say(`Imported the Elsa workflow ${converted.definition.id}${converted.notes.length ? `; notes: ${converted.notes.join(' ')}` : ''}. Save to store it.`);
      } else {
        show(parsed as WorkflowDefinition, { dirty: true, keepHistory: true });
        say(`Imported ${(parsed as WorkflowDefinition).id}. Save to store it.`);
      }
      setStored(null);
      setDecomposed(null);
    } catch (e) {
      if (e instanceof ApiError) setProblems(e.problems);
      say(`Import failed: ${errorMessage(e)}`, 'error');
    }
  }, [say, show]);

  /** Shows a decomposed task's root definition; saving stores its children first. */
  const showDecomposed = useCallback((response: DecomposeResponse) => {
    const root = response.definitions.find((d) => d.id === response.root) ?? response.definitions.at(-1);
    if (!root) return;
    setStored(null);
    show(root, { dirty: true, keepHistory: true });
    setDecomposed(response);
  }, [show]);

  return { stored, problems, busy, decomposed, storage, show, startNew, open, openSample, save, validate, importFile, showDecomposed };
}
