import { apiKey } from './apiKey';
import type { JournalEvent } from './types';

const eventTypes = [
  'InstanceStarted', 'InstanceSucceeded', 'InstanceFailed', 'InstanceCancelled',
  'NodeScheduled', 'NodeStarted', 'NodeSucceeded', 'NodeFailed', 'NodeRetried', 'NodeSkipped',
  'NodeSuspended', 'NodeResumed', 'NodeCancelled', 'LeaseReclaimed', 'ChildStarted',
];

/**
 * Follows an instance's journal over SSE. EventSource cannot send headers, so the key goes in
 * the query (the server accepts it there on GET only). Returns a function that stops listening.
 */
export function followInstance(instanceId: string, onEvent: (event: JournalEvent) => void, onEnd: () => void): () => void {
  const key = apiKey();
  const url = `/api/instances/${encodeURIComponent(instanceId)}/events${key ? `?key=${encodeURIComponent(key)}` : ''}`;
  const source = new EventSource(url);
  const handle = (message: MessageEvent<string>) => onEvent(JSON.parse(message.data) as JournalEvent);
  for (const type of eventTypes) source.addEventListener(type, handle);
  source.addEventListener('end', () => {
    source.close();
    onEnd();
  });
  return () => source.close();
}
