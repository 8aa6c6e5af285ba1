import { useEffect, useRef } from 'react';
import { copySelection, pasteFragment, type Fragment } from '../mapping/clipboard';
import type { DesignerDocument } from '../document/useDesignerDocument';

function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** Ctrl/Cmd+C and +V copy and paste the selection; +Z undoes, +Shift+Z and +Y redo. Delete is React Flow's. */
export function useKeyboard(document: DesignerDocument, enabled: boolean) {
  const clipboard = useRef<Fragment | null>(null);
  const latest = useRef(document);
  latest.current = document;

  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      if (typing(event.target) || !(event.ctrlKey || event.metaKey)) return;
      const doc = latest.current;
      const key = event.key.toLowerCase();
      if (key === 'c') {
        const fragment = copySelection(doc.graph.nodes, doc.graph.edges);
        if (fragment.nodes.length > 0) clipboard.current = fragment;
      } else if (key === 'v' && clipboard.current) {
        const fragment = clipboard.current;
        doc.commit((current) => {
          const pasted = pasteFragment(fragment, new Set(current.nodes.map((n) => n.id)));
          clipboard.current = { nodes: pasted.nodes, edges: pasted.edges };
          return {
            ...current,
            nodes: [...current.nodes.map((n) => ({ ...n, selected: false })), ...pasted.nodes],
            edges: [...current.edges, ...pasted.edges],
          };
        });
      } else if (key === 'z' && !event.shiftKey) {
        doc.undo();
      } else if ((key === 'z' && event.shiftKey) || key === 'y') {
        doc.redo();
      } else {
        return;
      }
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
