/** One governor gate: state, signal, streaks against the required streak, last reason and the metrics that drove it. */
import type { GateStatus } from '../../../shared/api/governor';
import { streakView } from './streak';

const TONE: Record<GateStatus['state'], string> = { inactive: 'muted', active: 'ok', rehearsal: 'warn', trade: 'accent' };
const LABEL: Partial<Record<GateStatus['name'], string>> = { ad_targeting_contextual: 'ads · contextual', ad_targeting_presence: 'ads · presence' };

function fmtMetric(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
  return String(v);
}

function Streak({ label, n, of, testId }: { label: string; n: number; of: number; testId: string }) {
  const v = streakView(n, of);
  const pct = v.pct;
  return (
    <div className="streak" title={v.title}>
      <div className="streak__label">
        <span>{label}</span>
        <span className="mono" data-testid={testId}>
          {v.text}
        </span>
      </div>
      <div className="streak__bar" aria-hidden>
        <div className="streak__fill" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

export function GateCard({ g }: { g: GateStatus }) {
  const metrics = Object.entries(g.last_metrics);
  return (
    <section className={`gate gate--${g.state} ${g.signal === 'no_signal' ? 'gate--nosignal' : ''}`} data-testid={`gate-card-${g.name}`}>
      <header className="gate__head">
        <h3 className="gate__name" title={g.name}>
          {LABEL[g.name] ?? g.name}
        </h3>
        <span className={`gstate gstate--${TONE[g.state]}`} data-testid={`gate-state-${g.name}`}>
          {g.state}
        </span>
      </header>
      <div className="gate__signal">
        {g.signal === 'no_signal' ? (
          <span className="gsignal gsignal--none" data-testid={`gate-signal-${g.name}`}>
            no signal · missing {g.missing_sources.join(', ')}
          </span>
        ) : (
          <span className="gsignal" data-testid={`gate-signal-${g.name}`}>
            {g.signal === 'ok' ? 'signal ok' : 'waiting for data'}
            {g.last_transition_epoch !== null ? ` · changed in epoch ${g.last_transition_epoch}` : ''}
          </span>
        )}
      </div>
      <div className="gate__streaks">
        <Streak label="enter" n={g.enter_streak} of={g.streak_required} testId={`gate-enter-${g.name}`} />
        <Streak label="exit" n={g.exit_streak} of={g.streak_required} testId={`gate-exit-${g.name}`} />
      </div>
      <p className="gate__reason" title={g.last_reason} data-testid={`gate-reason-${g.name}`}>
        {g.last_reason}
      </p>
      {metrics.length > 0 && (
        <dl className="gate__metrics">
          {metrics.map(([k, v]) => (
            <div key={k} className="gate__metric">
              <dt>{k}</dt>
              <dd className="mono">{fmtMetric(v)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
