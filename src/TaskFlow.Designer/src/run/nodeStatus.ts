import type { NodeStatus } from '../api/types';

/** The states the canvas overlay draws. */
export type OverlayState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export function overlayOf(status: NodeStatus): OverlayState {
  switch (status) {
    case 'Running':
    case 'Waiting':
      return 'running';
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return 'failed';
    case 'Skipped':
      return 'skipped';
    case 'Cancelled':
      return 'cancelled';
    default:
      return 'pending';
  }
}

/** The state a journal event moves its node to, if it moves it. */
export function overlayOfEvent(type: string): OverlayState | null {
  switch (type) {
    case 'NodeScheduled':
      return 'pending';
    case 'NodeStarted':
    case 'NodeRetried':
    case 'NodeResumed':
    case 'NodeSuspended':
      return 'running';
    case 'NodeSucceeded':
      return 'succeeded';
    case 'NodeFailed':
      return 'failed';
    case 'NodeSkipped':
      return 'skipped';
    case 'NodeCancelled':
      return 'cancelled';
    default:
      return null;
  }
}
