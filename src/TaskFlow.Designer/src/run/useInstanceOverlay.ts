import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import { getInstance } from '../api/endpoints';
import { followInstance } from '../api/instanceEvents';
import type { Instance, JournalEvent } from '../api/types';
import { overlayOf, overlayOfEvent, type OverlayState } from './nodeStatus';

// Events are applied in batches at most this often: an instance of thousands of nodes sends
// thousands of events, and one render per event would freeze the page.
const flushEveryMs = 100;

/**
 * The live state of one instance: node states and the journal from the SSE stream as they happen
 * (the stream replays the journal from its start, then follows it), and the instance as stored
 * (outputs, errors, attempts) at the start and once the stream ends.
 */
export function useInstanceOverlay(instanceId: string | null) {
  const [instance, setInstance] = useState<Instance | null>(null);
  const [states, setStates] = useState<Map<string, OverlayState> | null>(null);
  const [events, setEvents] = useState<readonly JournalEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  // Bumped to follow the instance again after it was reopened (a retried node).
  const [generation, setGeneration] = useState(0);

  // A refresh answered after another instance was opened is dropped.
  const current = useRef(instanceId);
  current.current = instanceId;

  /** Reads the stored instance; its node states replace the overlay's unless only the details are wanted. */
  const refresh = useCallback(async (detailsOnly = false) => {
    if (!instanceId) return;
    try {
      const loaded = await getInstance(instanceId);
      if (current.current !== instanceId) return;
      setInstance(loaded);
      if (!detailsOnly) setStates(new Map(loaded.nodes.map((n) => [n.nodeId, overlayOf(n.status)])));
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [instanceId]);

  useEffect(() => {
    setInstance(null);
    setError(null);
    setStates(instanceId ? new Map() : null);
    setEvents([]);
    if (!instanceId) return;
    let stopped = false;
    // Outputs and errors come with the stored instance: read again at most twice a second while
    // nodes finish, so the details of a node clicked during the run are current.
    let pending: ReturnType<typeof setTimeout> | null = null;
    let flush: ReturnType<typeof setTimeout> | null = null;
    const all: JournalEvent[] = [];
    let buffered: JournalEvent[] = [];
    const apply = () => {
      flush = null;
      if (stopped) return;
      const batch = buffered;
      buffered = [];
      setEvents(all.slice());
      setStates((current) => {
        const next = new Map(current ?? []);
        for (const event of batch) {
          const state = overlayOfEvent(event.type);
          if (event.nodeId && state) next.set(event.nodeId, state);
        }
        return next;
      });
    };
    void refresh();
    const stop = followInstance(
      instanceId,
      (event) => {
        if (stopped) return;
        all.push(event);
        buffered.push(event);
        flush ??= setTimeout(apply, flushEveryMs);
        const state = overlayOfEvent(event.type);
        // A suspended node (a timer, an event, an approval) has details to show too: what it waits for.
        if (event.nodeId && (state === 'succeeded' || state === 'failed' || event.type === 'NodeSuspended') && !pending) {
          pending = setTimeout(() => {
            pending = null;
            if (!stopped) void refresh(true);
          }, 500);
        }
      },
      () => {
        if (stopped) return;
        if (flush) clearTimeout(flush);
        apply();
        void refresh();
      },
    );
    return () => {
      stopped = true;
      if (pending) clearTimeout(pending);
      if (flush) clearTimeout(flush);
      stop();
    };
  }, [instanceId, refresh, generation]);

  const followAgain = useCallback(() => setGeneration((n) => n + 1), []);

  return { instance, states, events, error, refresh, followAgain };
}
