import type { SampleSummary } from '../api/types';

interface WelcomeProps {
  samples: readonly SampleSummary[];
  onOpenSample: (id: string) => void;
}

/** What an empty server shows over the empty canvas: its sample workflows, to open and run. */
export default function Welcome({ samples, onOpenSample }: WelcomeProps) {
  return (
    <section className="tf-welcome" data-testid="welcome">
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
