/** Network and consensus: peers, gossip, sync, proposer slots missed, finality, equivocations. */
import { DASHBOARD_UIDS, sel, type DashboardSpec } from '../../../src/shared/monitoring.js';
import { blockIntervalQuantile, finalityLagPanel } from './common.js';

const R = '$__rate_interval';

export const networkConsensus: DashboardSpec = {
  uid: DASHBOARD_UIDS.networkConsensus,
  title: 'The Block / Network & consensus',
  description: 'Peers, gossip, sync, proposer slots (rounds) missed, finality and equivocations.',
  tags: ['the-block', 'network', 'consensus'],
  rows: [
    {
      title: 'Peers',
      panels: [
        {
          title: 'Connected peers',
          description: 'Connected peers by transport. Zero for 5 minutes on a network other than dev fires no_peers.',
          kind: 'timeseries',
          queries: [{ expr: `sum by (transport) (${sel('peers')})`, legend: '{{transport}}' }],
          unit: 'short',
          min: 0,
          stack: true,
          width: 12,
        },
        {
          title: 'Peer penalties',
          description: 'Penalties given to peers for invalid messages per second, by reason (a peer of another chain, bad blocks, …).',
          kind: 'timeseries',
          queries: [{ expr: `sum by (reason) (rate(${sel('peer_penalties_total')}[${R}]))`, legend: '{{reason}}' }],
          unit: 'ops',
          min: 0,
          width: 12,
        },
      ],
    },
    {
      title: 'Gossip and sync',
      panels: [
        {
          title: 'Gossip received',
          description: 'Gossip messages received per second by topic and validation result (accept, reject, ignore).',
          kind: 'timeseries',
          queries: [{ expr: `sum by (topic, result) (rate(${sel('gossip_messages_total')}[${R}]))`, legend: '{{topic}} {{result}}' }],
          unit: 'ops',
          min: 0,
        },
        {
          title: 'Gossip published',
          description: 'Gossip messages this node published per second, by topic.',
          kind: 'timeseries',
          queries: [{ expr: `sum by (topic) (rate(${sel('gossip_published_total')}[${R}]))`, legend: '{{topic}}' }],
          unit: 'ops',
          min: 0,
        },
        {
          title: 'Sync',
          description: 'Blocks imported through request/response sync per second (downloads while catching up).',
          kind: 'timeseries',
          queries: [
            { expr: sel('sync_blocks_per_second'), legend: 'recent rate' },
            { expr: `rate(${sel('sync_blocks_total')}[${R}])`, legend: 'imported/s' },
          ],
          unit: 'short',
          min: 0,
        },
      ],
    },
    {
      title: 'Consensus',
      panels: [
        finalityLagPanel,
        {
          title: 'Missed proposer slots (rounds timed out)',
          description: 'Canonical blocks per minute made by a fallback proposer because the primary of that height missed its slot; vote locks released after a finality stall.',
          kind: 'timeseries',
          queries: [
            { expr: `60 * rate(${sel('consensus_fallback_blocks_total')}[${R}])`, legend: 'fallback blocks/min' },
            { expr: `increase(${sel('consensus_vote_lock_releases_total')}[${R}])`, legend: 'vote locks released' },
          ],
          unit: 'short',
          min: 0,
        },
        {
          title: 'Stake for finality',
          description: 'Effective total stake (total minus the stake excluded by evidence committed in blocks), the stake a block needs to be final, the equivocated stake (evidence held) and the excluded stake.',
          kind: 'timeseries',
          queries: [
            { expr: sel('effective_total_stake'), legend: 'effective' },
            { expr: sel('finality_threshold'), legend: 'threshold (⌈2/3⌉)' },
            { expr: sel('equivocated_stake'), legend: 'equivocated' },
            { expr: sel('consensus_excluded_stake'), legend: 'excluded' },
          ],
          unit: 'short',
          min: 0,
        },
        {
          title: 'Equivocations',
          description: 'Equivocations detected (two signed votes of one validator for different blocks at one height). The proof is kept; the stake is excluded.',
          kind: 'stat',
          queries: [{ expr: sel('equivocations_total') }],
          thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'red' }],
          width: 6,
        },
        {
          title: 'Block interval p90',
          description: 'A late proposer shows here first: the interval grows to the fallback slot.',
          kind: 'timeseries',
          queries: [{ expr: blockIntervalQuantile(0.9), legend: 'p90' }],
          unit: 's',
          min: 0,
          width: 18,
        },
      ],
    },
  ],
};
