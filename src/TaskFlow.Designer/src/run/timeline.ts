import type { JournalEvent } from '../api/types';

/** What a node did during one stretch of time. Waiting kinds (everything but running) hold no worker. */
export type SegmentKind = 'queued' | 'backoff' | 'running' | 'timer' | 'event' | 'approval' | 'agent' | 'items' | 'child' | 'waiting';

export interface Segment {
  kind: SegmentKind;
  attempt: number;
  /** Milliseconds since the epoch. */
  start: number;
  /** Null while it lasts. */
  end: number | null;
  /** The attempt failed here (retried or not), or its lease was lost. */
  failed: boolean;
  message: string | null;
}

export type RowStatus = 'pending' | 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

/** One row of the timeline: a node, or one item of a foreach (`each[3]`, shown under its node). */
export interface TimelineRow {
  id: string;
  /** The definition's node: the row's own id, or the foreach's for an item. */
  nodeId: string;
  item: number | null;
  status: RowStatus;
  segments: Segment[];
}

export interface Timeline {
  rows: TimelineRow[];
  /** The first event's time, or null without events. */
  start: number | null;
  /** When the instance finished, or null while it runs. */
  end: number | null;
}

const itemPattern = /^(.*)\[(\d+)\]$/;

/** What a suspended node waits for: by its activity type, else by the journal's message. */
function waitKind(type: string | undefined, message: string | null | undefined): SegmentKind {
  switch (type) {
    case 'delay': return 'timer';
    case 'event': return 'event';
    case 'approval': return 'approval';
    case 'agent': return 'agent';
    case 'foreach': return 'items';
    case 'workflow': return 'child';
  }
  if (message?.startsWith('Waiting until')) return 'timer';
  if (message?.startsWith('Waiting for event')) return 'event';
  if (message?.startsWith('Running ') && message.includes(' items')) return 'items';
  return 'waiting';
}

/**
 * The timeline of an instance from its journal, in event order: per node (and per foreach item)
 * the stretches it was queued, backing off before a retry, running, or waiting (a timer, an event,
 * an approval, an agent, its items or a child workflow), each with its attempt, failures marked.
 * A pure function of the events so far: the live view calls it again as events arrive.
 */
export function buildTimeline(events: readonly JournalEvent[], nodeTypes: ReadonlyMap<string, string>): Timeline {
  const rows = new Map<string, TimelineRow>();
  const open = new Map<string, Segment>();
  let start: number | null = null;
  let end: number | null = null;

  const row = (id: string): TimelineRow => {
    let found = rows.get(id);
    if (!found) {
      const match = itemPattern.exec(id);
      found = { id, nodeId: match ? match[1] : id, item: match ? Number(match[2]) : null, status: 'pending', segments: [] };
      rows.set(id, found);
    }
    return found;
  };
  const close = (id: string, at: number): Segment | null => {
    const segment = open.get(id);
    if (!segment) return null;
    segment.end = Math.max(at, segment.start);
    open.delete(id);
    return segment;
  };
  const begin = (target: TimelineRow, kind: SegmentKind, attempt: number, at: number, message: string | null = null) => {
    const segment: Segment = { kind, attempt, start: at, end: null, failed: false, message };
    target.segments.push(segment);
    open.set(target.id, segment);
  };

  for (const event of events) {
    const at = Date.parse(event.at);
    start ??= at;
    if (!event.nodeId) {
      if (event.type === 'InstanceSucceeded' || event.type === 'InstanceFailed' || event.type === 'InstanceCancelled') {
        end = at;
        for (const id of [...open.keys()]) close(id, at);
      } else if (event.type === 'InstanceStarted') {
        end = null;
      }
      continue;
    }
    const target = row(event.nodeId);
    const attempt = event.attempt || 1;
    const previous = close(target.id, at);
    switch (event.type) {
      case 'NodeScheduled':
        target.status = 'queued';
        begin(target, 'queued', attempt, at, event.message ?? null);
        break;
      case 'NodeStarted':
        target.status = 'running';
        begin(target, 'running', attempt, at);
        break;
      case 'NodeSuspended':
        target.status = 'waiting';
        begin(target, waitKind(target.item === null ? nodeTypes.get(target.id) : undefined, event.message), attempt, at, event.message ?? null);
        break;
      case 'NodeResumed':
        target.status = 'queued';
        begin(target, 'queued', attempt, at, event.message ?? null);
        break;
      case 'ChildStarted':
        target.status = 'waiting';
        begin(target, 'child', attempt, at, event.message ?? null);
        break;
      case 'NodeRetried':
        // The attempt before this one failed (unless a person retried a failed node, whose
        // failure is marked already), and the next waits out its backoff.
        if (previous && previous.kind === 'running') {
          previous.failed = true;
          previous.message = event.message ?? null;
        }
        target.status = 'queued';
        begin(target, 'backoff', attempt, at, event.message ?? null);
        break;
      case 'LeaseReclaimed':
        if (previous) {
          previous.failed = true;
          previous.message = event.message ?? 'The worker running it was lost; its lease expired.';
        }
        target.status = 'queued';
        begin(target, 'queued', attempt, at, event.message ?? null);
        break;
      case 'NodeSucceeded':
        target.status = 'succeeded';
        break;
      case 'NodeFailed': {
        target.status = 'failed';
        const failed = previous ?? target.segments[target.segments.length - 1];
        if (failed) {
          failed.failed = true;
          failed.message = event.message ?? failed.message;
        }
        break;
      }
      case 'NodeSkipped':
        target.status = 'skipped';
        break;
      case 'NodeCancelled':
        target.status = 'cancelled';
        break;
    }
  }

  // A foreach's items right under it, in item order; everything else in order of appearance.
  const ordered: TimelineRow[] = [];
  const items = new Map<string, TimelineRow[]>();
  for (const r of rows.values()) {
    if (r.item !== null) {
      const list = items.get(r.nodeId) ?? [];
      list.push(r);
      items.set(r.nodeId, list);
    }
  }
  for (const r of rows.values()) {
    if (r.item !== null && rows.has(r.nodeId)) continue;
    ordered.push(r);
    if (r.item === null) ordered.push(...(items.get(r.id) ?? []).sort((a, b) => a.item! - b.item!));
  }
  return { rows: ordered, start, end };
}

/** Whether a kind of segment holds a worker. */
export const isWaiting = (kind: SegmentKind) => kind !== 'running';
