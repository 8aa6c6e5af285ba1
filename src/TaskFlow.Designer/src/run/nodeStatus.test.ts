import { describe, expect, it } from 'vitest';
import { overlayOf, overlayOfEvent } from './nodeStatus';

describe('node overlay', () => {
  it('draws a waiting node apart from a running one', () => {
    expect(overlayOf('Running')).toBe('running');
    expect(overlayOf('Waiting')).toBe('waiting');
    expect(overlayOf('Scheduled')).toBe('pending');
  });

  it('moves a node to waiting when it suspends and back to running when it resumes', () => {
    expect(overlayOfEvent('NodeSuspended')).toBe('waiting');
    expect(overlayOfEvent('NodeResumed')).toBe('running');
    expect(overlayOfEvent('NodeStarted')).toBe('running');
  });
});
