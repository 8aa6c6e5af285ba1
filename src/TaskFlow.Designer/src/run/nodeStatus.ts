import type { NodeStatus } from '../api/types';

/** The states the canvas overlay draws: waiting (a timer, an event, an approval, an agent, a child) apart from running. */
export type OverlayState = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export function overlayOf(status: NodeStatus): OverlayState {
  switch (status) {
    case 'Running':
      return 'running';
    case 'Waiting':
      return 'waiting';
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
      return 'running';
    case 'NodeSuspended':
      return 'waiting';
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
