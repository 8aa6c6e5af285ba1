import type { Problem } from '../mapping/problems';

/** Server validation problems: the ones about a node are also drawn on it. */
export default function ProblemList({ problems, onSelect }: { problems: Problem[]; onSelect: (problem: Problem) => void }) {
  if (problems.length === 0) return null;
  return (
    <section className="tf-problem-list" data-testid="problem-list">
      <h3>{problems.length === 1 ? '1 problem' : `${problems.length} problems`}</h3>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>
            <button className="tf-link" onClick={() => onSelect(p)}>{p.target && <code>{p.target}</code>} {p.message}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
