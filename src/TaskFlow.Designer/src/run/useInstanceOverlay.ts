import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import { getInstance } from '../api/endpoints';
import { followInstance } from '../api/instanceEvents';
import type { Instance } from '../api/types';
import { overlayOf, overlayOfEvent, type OverlayState } from './nodeStatus';

/**
 * The live state of one instance: node states from the SSE journal as they happen, and the
 * instance as stored (outputs, errors, attempts) at the start and once the stream ends.
 */
export function useInstanceOverlay(instanceId: string | null) {
  const [instance, setInstance] = useState<Instance | null>(null);
  const [states, setStates] = useState<Map<string, OverlayState> | null>(null);
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
    if (!instanceId) return;
    let stopped = false;
    // Outputs and errors come with the stored instance: read again at most twice a second while
    // nodes finish, so the details of a node clicked during the run are current.
    let pending: ReturnType<typeof setTimeout> | null = null;
    void refresh();
    const stop = followInstance(
      instanceId,
      (event) => {
        const state = overlayOfEvent(event.type);
        if (stopped || !event.nodeId || !state) return;
        setStates((current) => new Map(current ?? []).set(event.nodeId!, state));
        // A suspended node (a timer, an event, an approval) has details to show too: what it waits for.
        if ((state === 'succeeded' || state === 'failed' || event.type === 'NodeSuspended') && !pending) {
          pending = setTimeout(() => {
            pending = null;
            if (!stopped) void refresh(true);
          }, 500);
        }
      },
      () => {
        if (!stopped) void refresh();
      },
    );
    return () => {
      stopped = true;
      if (pending) clearTimeout(pending);
      stop();
    };
  }, [instanceId, refresh, generation]);

  const followAgain = useCallback(() => setGeneration((n) => n + 1), []);

  return { instance, states, error, refresh, followAgain };
}
