import { useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { listEventWaits, sendEvent } from '../api/endpoints';
import type { EventWaiting } from '../api/types';
import TextField from '../properties/TextField';

interface EventWaitDetailsProps {
  instanceId: string;
  nodeId: string;
  onSent: () => void;
}

const parsePayload = (text: string) => {
  try {
    JSON.parse(text || 'null');
    return null;
  } catch {
    return 'Not valid JSON.';
  }
};

/**
 * How to resume a node that waits for an external event: the endpoint and correlation to post, the
 * node's single-use resume URL, and a form that sends the event from here.
 */
export default function EventWaitDetails({ instanceId, nodeId, onSent }: EventWaitDetailsProps) {
  const [wait, setWait] = useState<EventWaiting | null>(null);
  const [payload, setPayload] = useState('{}');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    listEventWaits(instanceId).then(
      (waits) => current && setWait(waits.find((w) => w.nodeId === nodeId) ?? null),
      (e) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [instanceId, nodeId]);

  if (!wait) return error ? <p className="tf-field-error">{error}</p> : null;
  const endpoint = `${window.location.origin}/api/events/${encodeURIComponent(wait.name)}`;
  const body = JSON.stringify({ ...(wait.correlation ? { correlation: wait.correlation } : {}), payload: {} });
  const send = async () => {
    setError(null);
    try {
      await sendEvent(wait.name, wait.correlation ?? undefined, instanceId, JSON.parse(payload || 'null'));
      onSent();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section className="tf-event-wait" data-testid="event-wait" data-event={wait.name} data-correlation={wait.correlation ?? ''}>
      <h4>Waiting for the event <code>{wait.name}</code>{wait.correlation && <> with correlation <code data-testid="event-wait-correlation">{wait.correlation}</code></>}</h4>
      <p className="tf-hint">Resume it by posting the event (operator key), which resumes every node waiting for that name and correlation:</p>
      <pre data-testid="event-wait-curl">{`curl -X POST -H "X-Api-Key: $KEY" -H "Content-Type: application/json" \\\n  -d '${body}' \\\n  ${endpoint}`}</pre>
      <p className="tf-hint">or this node alone, with no key, at its single-use resume URL (the body is its output):</p>
      <pre data-testid="event-wait-resume-url">{wait.resumeUrl}</pre>
      <TextField label="Payload (JSON)" testId="event-payload" multiline value={payload} check={parsePayload} onCommit={setPayload} />
      <button data-testid="event-send" onClick={() => void send()}>Send {wait.name} now</button>
      {error && <p className="tf-field-error" data-testid="event-send-error">{error}</p>}
    </section>
  );
}
