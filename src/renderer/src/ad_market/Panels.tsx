/**
 * The three panels the operations guide names: "Ad Market Readiness" (blockers, streak, counts vs
 * thresholds), "Presence Freshness" (freshness histogram per bucket) and "Selector
 * Competitiveness" (clearing price, top bid, win rate, shading per selector) beside the privacy
 * budget spend per badge family and its exhaustion forecast.
 */
import type { BucketReadiness, ReadinessSnapshot, SelectorView } from '../../../shared/api/ad_market';
import { Card } from '../components/Card';
import { bps, duration, pct, usd } from './format';

function Meter({ label, value, min, testId }: { label: string; value: number; min: number; testId: string }) {
  const ok = value >= min;
  const w = min === 0 ? 100 : Math.min(100, (value * 100) / min);
  return (
    <div className="ad-meter" data-testid={testId}>
      <div className="ad-meter__head">
        <span>{label}</span>
        <span className={ok ? 'tone--ok' : 'tone--warn'}>
          {value} / {min}
        </span>
      </div>
      <div className="ad-meter__bar">
        <div className={`ad-meter__fill ${ok ? 'ad-meter__fill--ok' : ''}`} style={{ width: `${w}%` }} />
      </div>
    </div>
  );
}

export function ReadinessPanel({ r }: { r: ReadinessSnapshot }) {
  return (
    <Card title="Ad Market Readiness" testId="ad-readiness-panel">
      <div className="ad-ready">
        <span className={`ad-ready__badge ${r.ready ? 'ad-ready__badge--ok' : 'ad-ready__badge--blocked'}`} data-testid="ad-ready-state">
          {r.ready ? 'Ready' : 'Blocked'}
        </span>
        <span className="muted">
          streak <b data-testid="ad-ready-streak">{r.ready_streak_windows}</b> window(s) · window {r.window_secs / 3600} h · height {r.height}
        </span>
      </div>
      <ul className="ad-blockers" data-testid="ad-blockers">
        {r.blockers.length === 0 ? <li className="tone--ok">no blockers</li> : r.blockers.map((b) => <li key={b} className="tone--warn mono">{b}</li>)}
      </ul>
      <Meter label="Unique viewers" value={r.unique_viewers} min={r.thresholds.min_unique_viewers} testId="ad-meter-viewers" />
      <Meter label="Hosts" value={r.host_count} min={r.thresholds.min_host_count} testId="ad-meter-hosts" />
      <Meter label="Providers" value={r.provider_count} min={r.thresholds.min_provider_count} testId="ad-meter-providers" />
      <p className="muted small">
        {r.dynamic.use_percentile_thresholds ? 'Percentile thresholds (EMA)' : 'Static thresholds'} from {r.params_source}. Skipped for presence policy: {r.skipped.presence}. Settled {r.settlement_count} impression(s), {usd(r.total_usd_micros)}.
      </p>
    </Card>
  );
}

const BINS = [
  ['under_1h_ppm', '< 1 h'],
  ['hours_1_to_6_ppm', '1–6 h'],
  ['hours_6_to_24_ppm', '6–24 h'],
  ['over_24h_ppm', '≥ 24 h'],
] as const;

export function FreshnessPanel({ buckets }: { buckets: BucketReadiness[] }) {
  return (
    <Card title="Presence Freshness" testId="ad-freshness-panel">
      {buckets.length === 0 ? (
        <p className="muted">No presence buckets yet.</p>
      ) : (
        buckets.map((b) => (
          <div key={b.bucket_id} className="ad-bucket" data-testid={`ad-bucket-${b.bucket_id}`}>
            <div className="ad-bucket__head">
              <span className="mono">{b.bucket_id}</span>
              <span className={b.stale ? 'tone--bad' : 'tone--ok'}>{b.stale ? 'stale' : 'fresh'}</span>
              <span className="muted small">
                {b.kind} · {b.confidence_bps} bps · {b.radius_meters} m · crowd {b.crowd_size} · <b data-testid={`ad-bucket-slots-${b.bucket_id}`}>{b.ready_slots}</b> ready slot(s)
              </span>
            </div>
            <div className="ad-hist">
              {BINS.map(([k, label]) => (
                <div key={k} className="ad-hist__col" title={`${label}: ${pct(b.freshness_histogram[k])}`}>
                  <div className="ad-hist__bar" style={{ height: `${Math.max(2, b.freshness_histogram[k] / 10_000)}%` }} />
                  <div className="ad-hist__label small">{label}</div>
                  <div className="small mono">{pct(b.freshness_histogram[k])}</div>
                </div>
              ))}
            </div>
          </div>
        ))
      )}
    </Card>
  );
}

export function CompetitivenessPanel({ selectors }: { selectors: SelectorView[] }) {
  return (
    <Card title="Selector Competitiveness" testId="ad-competitiveness-panel" className="ad-wide">
      {selectors.length === 0 ? (
        <p className="muted">No auctions yet.</p>
      ) : (
        <table className="table" data-testid="ad-selectors">
          <thead>
            <tr>
              <th>Selector (tier / tag / bucket)</th>
              <th className="num">Clearing</th>
              <th className="num">Top bid</th>
              <th className="num">Win rate</th>
              <th className="num">Shading</th>
              <th className="num">Slots</th>
              <th className="num">Conversions</th>
              <th className="num">Privacy left</th>
            </tr>
          </thead>
          <tbody>
            {selectors.map((s) => (
              <tr key={s.selector_id} data-testid={`ad-selector-${s.label}`} title={s.selector_id}>
                <td className="mono">{s.label}</td>
                <td className="num">{usd(s.clearing_price_usd_micros)}</td>
                <td className="num">{usd(s.top_bid_usd_micros)}</td>
                <td className="num" data-testid="ad-win-rate">{pct(s.win_rate_ppm)}</td>
                <td className="num" data-testid="ad-shading">{bps(s.shading_factor_bps)}</td>
                <td className="num">{s.slot_cap}</td>
                <td className="num" data-testid="ad-conversions">
                  {s.conversions}
                  <div className="small muted">{usd(s.conversion_value_usd_micros)}</div>
                </td>
                <td className="num" data-testid="ad-selector-privacy" title={`${s.privacy_families.join(', ') || 'no badges'}; exhausted in ${s.privacy_exhausted_in_impressions ?? '∞ (never at this rate)'} impressions`}>
                  {s.privacy_families.length === 0 ? '—' : pct(s.privacy_remaining_ppm)}
                  <div className="small muted">{s.privacy_families.length === 0 ? 'no badges' : s.privacy_exhausted_in_impressions === null ? 'never runs out' : `out in ${s.privacy_exhausted_in_impressions} impr.`}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

export function PrivacyPanel({ p }: { p: NonNullable<ReadinessSnapshot['privacy']> }) {
  return (
    <Card title="Privacy budget" testId="ad-privacy-panel">
      <p className="small muted">
        Denials: budget exhausted {p.denials.budget_exhausted} · cooldown {p.denials.cooldown} · k-anonymity {p.denials.k_anonymity_redacted}
      </p>
      {p.families.length === 0 ? (
        <p className="muted">No badge family has spent budget yet.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Family</th>
              <th className="num">Spent</th>
              <th>Last decision</th>
              <th>Exhausted in</th>
            </tr>
          </thead>
          <tbody>
            {p.families.map((f) => (
              <tr key={f.family} data-testid={`ad-privacy-${f.family}`}>
                <td className="mono">{f.family}</td>
                <td className="num">{pct(f.utilization_ppm)}</td>
                <td className={f.last_decision === 'ok' ? 'tone--ok' : 'tone--warn'}>{f.last_decision}{f.cooldown_remaining > 0 ? ` (${f.cooldown_remaining} left)` : ''}</td>
                <td>{f.impressions_until_exhausted === null ? 'never at this rate' : `${f.impressions_until_exhausted} impressions (${duration(f.seconds_until_exhausted)})`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
