/**
 * Energy metrics (operations guide "Telemetry & dashboards"; spec/energy.md §12). Names follow the
 * guide except where `promtool check metrics` refuses them (as the treasury and ad market did):
 * the current-count gauges `energy_pending_credits_total` / `energy_active_disputes_total` are
 * `energy_pending_credits` / `energy_active_disputes`, and `energy_provider_fulfillment_ms` is
 * `energy_provider_fulfillment_seconds`. `energy_provider_total` and `energy_receipt_total` are
 * counters (providers never deregister; receipts only accrue). Counters count from the chain state
 * at node start. Label cardinality is bounded: at most MAX_PROVIDER_LABELS provider values (then
 * `other`), reasons from a fixed list.
 */
import client from 'prom-client';

export const MAX_PROVIDER_LABELS = 64;
export const SIGNATURE_REASONS = ['invalid_signature', 'provider_not_registered', 'malformed_signature'] as const;

export function energyMetrics(registry: client.Registry) {
  const registers = [registry];
  const c = (name: string, help: string, labelNames: string[] = []) => new client.Counter({ name, help, labelNames, registers });
  const g = (name: string, help: string, labelNames: string[] = []) => new client.Gauge({ name, help, labelNames, registers });
  return {
    providers: c('energy_provider_total', 'Energy providers registered on the chain.'),
    pending: g('energy_pending_credits', 'Pending credits (readings not yet fully settled).'),
    receipts: c('energy_receipt_total', 'Settlement receipts on the chain.'),
    disputes: g('energy_active_disputes', 'Open energy disputes.'),
    registrations: c('energy_provider_register_total', 'Provider registrations included in blocks.'),
    readings: c('energy_meter_reading_total', 'Meter readings credited, by provider.', ['provider']),
    settlements: c('energy_settlement_total', 'Settlements, by provider.', ['provider']),
    fee: c('energy_treasury_fee_ct_total', 'Treasury fees accrued by settlements in trade mode (base units of BLOCK).'),
    disputeOpen: c('energy_dispute_open_total', 'Disputes opened.'),
    disputeResolve: c('energy_dispute_resolve_total', 'Disputes resolved (upheld or dismissed).'),
    avgPrice: g('energy_avg_price', 'Average price per kWh of registered providers (base units).'),
    kwh: c('energy_kwh_traded_total', 'kWh settled.'),
    sigFail: c('energy_signature_failure_total', 'Readings refused by the verifier registry, by provider and reason.', ['provider', 'reason']),
    refusedAfterAccept: c('energy_reading_refused_after_accept_total', 'Readings accepted by energy.submit_reading but refused before inclusion (they aged out of the timestamp window while queued, or a journal reading failed its re-check after a restart), by reason.', ['reason']),
    readingsIncluded: c('energy_readings_included_total', 'Readings accepted by this node and seen included in a block.'),
    readingsWaiting: g('energy_readings_waiting', 'Readings accepted by this node and not yet included (queued + in mempool txs).'),
    rejects: c('energy_reading_reject_total', 'Readings refused by energy.submit_reading, by reason.', ['reason']),
    fulfillment: new client.Histogram({ name: 'energy_provider_fulfillment_seconds', help: 'Credit-to-settlement time (seconds of block time).', buckets: [1, 5, 15, 60, 300, 900, 3600, 21_600], registers }),
    oracleLatency: new client.Histogram({ name: 'oracle_reading_latency_seconds', help: 'Age of a reading when the node received it (seconds, node clock − reading timestamp).', buckets: [0.5, 1, 2, 5, 10, 30, 60, 300], registers }),
    snapshotDuration: new client.Histogram({ name: 'energy_snapshot_duration_seconds', help: 'Time to write the energy_market store after a change (seconds).', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers }),
    snapshotFail: c('energy_snapshot_fail_total', 'Failed writes of the energy_market store.'),
    tradeMode: g('energy_market_trade_mode', '1 when the energy market moves value (trade), 0 in rehearsal.'),
    keys: g('energy_provider_keys', 'Provider keys in the verifier registry.'),
  };
}
export type EnergyMetrics = ReturnType<typeof energyMetrics>;

/** A provider label value with bounded cardinality. */
export function providerLabel(seen: Set<string>, id: string): string {
  if (seen.has(id)) return id;
  if (seen.size >= MAX_PROVIDER_LABELS) return 'other';
  seen.add(id);
  return id;
}
