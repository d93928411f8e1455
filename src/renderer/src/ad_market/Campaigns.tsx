/** Campaigns list and the cohort browser (filters on domain tier, interest tag, presence bucket). */
import { useState } from 'react';
import type { CampaignView, SelectorView } from '../../../shared/api/ad_market';
import { Card } from '../components/Card';
import { bps, pct, usd } from './format';

export function CampaignList({ campaigns }: { campaigns: CampaignView[] }) {
  return (
    <Card title="Campaigns" testId="ad-campaigns">
      {campaigns.length === 0 ? (
        <p className="muted">No campaigns. Register one with <code>npx contract-cli ad-market register --campaign examples/ad-market/campaign.json</code>.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Campaign</th>
              <th className="num">Spent / budget</th>
              <th className="num">Max bid</th>
              <th className="num">Conversions</th>
              <th className="num" title="Budget broker: factor applied to bids, min(1, kappa / (1 + shadow price))">Pacing</th>
              <th>Targeting</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.map((c) => (
              <tr key={c.id} data-testid={`ad-campaign-${c.id}`}>
                <td className="mono nowrap">{c.id}</td>
                <td className="num">
                  {usd(c.spent_usd_micros)} / {usd(c.budget_usd_micros)}
                </td>
                <td className="num">{usd(c.max_bid_usd_micros)}</td>
                <td className="num" data-testid="ad-campaign-conversions" title={c.conversions_enabled ? `${c.wins} won impression(s); bid quality ×${(c.effective_quality_ppm / 1e6).toFixed(2)}` : 'no conversion token registered: conversions are refused'}>
                  {c.conversions_enabled ? `${c.conversions} · ${usd(c.conversion_value_usd_micros)}` : 'off'}
                </td>
                <td className="num" data-testid="ad-campaign-pacing">{pct(c.pacing_multiplier_ppm)}</td>
                <td className="small">
                  {c.domain_tiers.join(', ') || 'any tier'} · {c.interest_tags.join(', ') || 'any tag'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

export function CohortBrowser({ selectors }: { selectors: SelectorView[] }) {
  const [tier, setTier] = useState('');
  const [tag, setTag] = useState('');
  const [bucket, setBucket] = useState('');
  const opts = (f: (s: SelectorView) => string) => [...new Set(selectors.map(f).filter((x) => x !== ''))].sort();
  const shown = selectors.filter((s) => (!tier || s.domain_tier === tier) && (!tag || s.interest_tag === tag) && (!bucket || s.presence_bucket === bucket));
  const sel = (value: string, set: (v: string) => void, list: string[], label: string, id: string) => (
    <label className="field field--inline">
      <span>{label}</span>
      <select className="input" value={value} onChange={(e) => set(e.target.value)} data-testid={id}>
        <option value="">any</option>
        {list.map((x) => (
          <option key={x} value={x}>
            {x}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <Card title="Cohort browser" testId="ad-cohorts">
      <div className="toolbar">
        {sel(tier, setTier, opts((s) => s.domain_tier), 'Tier', 'ad-filter-tier')}
        {sel(tag, setTag, opts((s) => s.interest_tag), 'Interest', 'ad-filter-tag')}
        {sel(bucket, setBucket, opts((s) => s.presence_bucket), 'Bucket', 'ad-filter-bucket')}
      </div>
      <table className="table">
        <tbody>
          {shown.map((s) => (
            <tr key={s.selector_id} data-testid={`ad-cohort-${s.label}`}>
              <td className="mono small">{s.label}</td>
              <td className="num">{s.opportunities} opp.</td>
              <td className="num">{pct(s.win_rate_ppm)} won</td>
              <td className="num">shaded to {bps(s.shading_factor_bps)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && <p className="muted">No cohort matches.</p>}
    </Card>
  );
}
