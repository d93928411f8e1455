/** Panels and single-figure stats (Grafana-like "stat" panels). */
import type { ReactNode } from 'react';

export function Card({ title, actions, children, className, testId }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; testId?: string }) {
  return (
    <section className={`card ${className ?? ''}`} data-testid={testId}>
      {(title || actions) && (
        <header className="card__head">
          <h2 className="card__title">{title}</h2>
          {actions && <div className="card__actions">{actions}</div>}
        </header>
      )}
      <div className="card__body">{children}</div>
    </section>
  );
}

export function Stat({ label, value, sub, testId, tone }: { label: string; value: ReactNode; sub?: ReactNode; testId: string; tone?: 'ok' | 'warn' | 'bad' }) {
  return (
    <div className={`stat ${tone ? `stat--${tone}` : ''}`}>
      <div className="stat__label">{label}</div>
      <div className="stat__value" data-testid={testId}>
        {value}
      </div>
      {sub !== undefined && <div className="stat__sub">{sub}</div>}
    </div>
  );
}
