import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../api/types';
import { buildTimeline } from './timeline';

let id = 0;
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const e = (ms: number, type: JournalEvent['type'], nodeId: string | null = null, attempt = 1, message: string | null = null): JournalEvent =>
  ({ id: ++id, instanceId: 'i', nodeId, type, attempt, at: at(ms), worker: null, message });
const types = new Map([['flaky', 'sleep'], ['pause', 'delay'], ['each', 'foreach'], ['ok', 'approval']]);

describe('buildTimeline', () => {
  //   flaky (retry) ──> pause (delay) ──> each (foreach of 2)
  const events = [
    e(0, 'InstanceStarted'),
    e(0, 'NodeScheduled', 'flaky'),
    e(10, 'NodeStarted', 'flaky'),
    e(310, 'NodeRetried', 'flaky', 2, 'Attempt 1 failed: Timed out after 300ms. Retrying in 0.2s (attempt 2 of 3).'),
    e(510, 'NodeStarted', 'flaky', 2),
    e(530, 'NodeSucceeded', 'flaky', 2),
    e(530, 'NodeScheduled', 'pause'),
    e(540, 'NodeStarted', 'pause'),
    e(545, 'NodeSuspended', 'pause', 1, 'Waiting until 2026-01-01T00:00:01.545Z.'),
    e(1545, 'NodeSucceeded', 'pause'),
    e(1550, 'NodeStarted', 'each'),
    e(1555, 'NodeSuspended', 'each', 1, 'Running 2 items, at most 2 at once.'),
    e(1556, 'NodeStarted', 'each[1]'),
    e(1556, 'NodeStarted', 'each[0]'),
    e(1600, 'NodeSucceeded', 'each[1]'),
    e(1610, 'NodeFailed', 'each[0]', 1, 'boom'),
    e(1610, 'NodeFailed', 'each', 1, 'Item 0 failed: boom'),
    e(1610, 'InstanceFailed', null, 0, 'Node each failed'),
  ];
  const timeline = buildTimeline(events, types);
  const row = (rowId: string) => timeline.rows.find((r) => r.id === rowId)!;

  it('draws one row per node with its items right under it, in item order', () => {
    expect(timeline.rows.map((r) => r.id)).toEqual(['flaky', 'pause', 'each', 'each[0]', 'each[1]']);
    expect(row('each[1]').nodeId).toBe('each');
    expect(row('each[1]').item).toBe(1);
  });

  it('marks the failed attempt, the backoff before the retry and the attempt that succeeded', () => {
    expect(row('flaky').segments.map((s) => [s.kind, s.attempt, s.start, s.end, s.failed])).toEqual([
      ['queued', 1, Date.parse(at(0)), Date.parse(at(10)), false],
      ['running', 1, Date.parse(at(10)), Date.parse(at(310)), true],
      ['backoff', 2, Date.parse(at(310)), Date.parse(at(510)), false],
      ['running', 2, Date.parse(at(510)), Date.parse(at(530)), false],
    ]);
    expect(row('flaky').segments[1].message).toContain('Timed out');
    expect(row('flaky').status).toBe('succeeded');
  });

  it('tells a timer and a foreach waiting for its items apart from running', () => {
    expect(row('pause').segments.map((s) => s.kind)).toEqual(['queued', 'running', 'timer']);
    expect(row('each').segments.map((s) => s.kind)).toEqual(['running', 'items']);
  });

  it('marks a failed item and its foreach, and ends with the instance', () => {
    expect(row('each[0]').segments[0].failed).toBe(true);
    expect(row('each[0]').status).toBe('failed');
    expect(row('each').segments[1].failed).toBe(true);
    expect(timeline.end).toBe(Date.parse(at(1610)));
    expect(timeline.start).toBe(Date.parse(at(0)));
  });

  it('leaves the last stretch open while the instance runs', () => {
    const live = buildTimeline([e(0, 'InstanceStarted'), e(5, 'NodeStarted', 'ok'), e(6, 'NodeSuspended', 'ok', 1, 'Waiting to be resumed.')], types);
    expect(live.end).toBeNull();
    expect(live.rows[0].segments.at(-1)).toMatchObject({ kind: 'approval', end: null });
    expect(live.rows[0].status).toBe('waiting');
  });
});
