import { useEffect, useState } from 'react';
import type { SampleSummary } from '../api/types';

interface WelcomeProps {
  samples: readonly SampleSummary[];
  onOpenSample: (id: string) => void;
}

/**
 * What an empty server shows over the empty canvas: its sample workflows, to open and run. It
 * steps aside for good once the user closes it or starts dragging an activity, so it never sits
 * where a node is being dropped.
 */
export default function Welcome({ samples, onOpenSample }: WelcomeProps) {
  const [closed, setClosed] = useState(false);
  useEffect(() => {
    const close = () => setClosed(true);
    window.addEventListener('dragstart', close);
    return () => window.removeEventListener('dragstart', close);
  }, []);
  if (closed) return null;
  return (
    <section className="tf-welcome" data-testid="welcome">
      <button className="tf-welcome-close" onClick={() => setClosed(true)} data-testid="welcome-close" title="Close">×</button>
      <h2>No workflows stored yet</h2>
      <p>Drag activities from the palette onto the canvas, or start from a sample:</p>
      {samples.length === 0 && <p className="tf-hint">This server has no samples.</p>}
      <ul>
        {samples.map((s) => (
          <li key={s.id}>
            <button className="tf-link" data-testid={`sample-${s.id}`} onClick={() => onOpenSample(s.id)}>
              <strong>{s.name}</strong> <span className="tf-hint">{s.nodes} nodes</span>
            </button>
            {s.description && <p className="tf-welcome-description">{s.description}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}
