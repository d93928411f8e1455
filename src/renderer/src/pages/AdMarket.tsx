/**
 * Ad Market: the three panels of the operations guide — "Ad Market Readiness", "Presence
 * Freshness", "Selector Competitiveness" — beside the privacy budget per badge family with its
 * exhaustion forecast; the campaigns; a cohort browser; and a "readiness snapshot" export that
 * saves exactly what `contract-cli ad-market readiness --with-privacy --format json` prints.
 * Live through `adMarket.readinessChanged` and new heads (ad_market/live.ts).
 */
import { call } from '../api/client';
import { rpc } from '../api/hooks';
import { CampaignList, CohortBrowser } from '../ad_market/Campaigns';
import { snapshotText } from '../ad_market/format';
import { CompetitivenessPanel, FreshnessPanel, PrivacyPanel, ReadinessPanel } from '../ad_market/Panels';
import { ErrorNote } from '../components/ErrorNote';
import { useLive } from '../store/live';
import '../ad_market/ad-market.css';


async function exportSnapshot(): Promise<void> {
  const snap = await call('ad_market.readiness', { with_privacy: true });
  const url = URL.createObjectURL(new Blob([snapshotText(snap)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `ad-readiness-${snap.height}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function AdMarket() {
  const on = useLive((s) => s.connection) === 'open';
  const readiness = rpc['ad_market.readiness'].useQuery({ with_privacy: true }, { enabled: on });
  const inventory = rpc['ad_market.inventory'].useQuery(undefined, { enabled: on });
  const campaigns = rpc['ad_market.list_campaigns'].useQuery(undefined, { enabled: on });
  const r = readiness.data;
  const selectors = inventory.data?.selectors ?? [];
  return (
    <div className="page" data-testid="page-ad-market">
      <div className="toolbar">
        <span className="muted small">Readiness, presence and auctions are chain state; figures are at the head block.</span>
        <span className="toolbar__spacer" />
        <button className="btn" data-testid="ad-export" disabled={!r} onClick={() => void exportSnapshot()}>
          Export readiness snapshot
        </button>
      </div>
      {readiness.error && <ErrorNote error={readiness.error} />}
      {r && (
        <div className="ad-grid">
          <ReadinessPanel r={r} />
          <FreshnessPanel buckets={Object.values(r.segments.presence_bucket)} />
          <CompetitivenessPanel selectors={selectors} />
          {r.privacy && <PrivacyPanel p={r.privacy} />}
          <CampaignList campaigns={campaigns.data?.campaigns ?? []} />
          <CohortBrowser selectors={selectors} />
        </div>
      )}
    </div>
  );
}
