/**
 * The treasury as a node module (modules/types.ts): its chain module (disbursements, executor
 * lease, governance params), its `gov.treasury.*` / `gov.param.*` methods, `treasury/` data path,
 * metrics, panels, alert rules and deadlines.
 */
import { treasuryMonitoring } from './monitoring.js';
import client from 'prom-client';
import { RpcError } from '../../shared/api/errors.js';
import { TREASURY_METHODS } from '../../shared/api/treasury.js';
import { CodecError } from '../codec/canonical.js';
import { defineModule } from '../modules/index.js';
import { TREASURY_META } from './meta.js';
import { TREASURY_ADDRESS } from './account.js';
import { kindByOp, treasuryChainModule } from './chain-module.js';
import { getParam, isParamName, PARAM_NAMES, PARAMS, type ParamName } from './params.js';
import { TreasuryService, type TreasuryMetrics } from './service.js';
import { committed, disbursementView, page } from './view.js';
import { Keystore } from '../wallet/keystore.js';

export const TREASURY = defineModule<typeof TREASURY_METHODS, TreasuryMetrics>({
  ...TREASURY_META,
  chain: treasuryChainModule,
  methods: TREASURY_METHODS,
  metrics: (registry): TreasuryMetrics => {
    const g = (name: string, help: string) => new client.Gauge({ name, help, registers: [registry] });
    const gs = (name: string, help: string) => new client.Gauge({ name, help, labelNames: ['status'] as const, registers: [registry] });
    return {
      balance: g('treasury_balance', 'Treasury account balance (base units of BLOCK).'),
      balanceCt: g('treasury_balance_ct', 'Treasury balance, consumer lane (single token: equals treasury_balance).'),
      balanceIt: g('treasury_balance_it', 'Treasury balance, industrial lane (always 0: one token).'),
      backlog: g('treasury_disbursement_backlog', 'Disbursements approved and not yet executed (Queued + Timelocked).'),
      byStatus: gs('treasury_disbursements', 'Disbursements by current status.'),
      entered: new client.Counter({
        name: 'governance_disbursements_total',
        help: 'Disbursements that entered each status (from every disbursement\'s stage history in chain state; counts from 0 at each node start).',
        labelNames: ['status'] as const,
        registers: [registry],
      }),
      amountByStatus: gs('treasury_disbursement_amount', 'Sum of disbursement amounts by status (base units).'),
      amountCtByStatus: gs('treasury_disbursement_amount_ct', 'Sum of disbursement amounts by status, consumer lane (base units).'),
      stalled: g('treasury_disbursement_stalled_seconds', 'Longest wait (s, block time) of a Timelocked disbursement whose scheduled epoch has started (ready) for its execution.'),
      oldestAge: g('treasury_disbursement_scheduled_oldest_age_seconds', 'Age (s, block time) of the oldest approved disbursement due (scheduled epoch reached) and not yet executed.'),
      stagedIntents: g('treasury_executor_staged_intents', 'Execution intents staged by this node\'s executor and not yet settled (treasury/intents.json).'),
      executorResults: new client.Counter({ name: 'treasury_executor_result_total', help: 'Execution intents that left the queue, by result (success, superseded, dropped).', labelNames: ['result'] as const, registers: [registry] }),
    };
  },
  monitoring: treasuryMonitoring,
  async start(ctx) {
    const svc = new TreasuryService(ctx.chain, ctx.events, ctx.root, ctx.metrics, ctx.nodeKey, new Keystore(ctx.root, ctx.config.network));
    await svc.start();
    const submit = async (f: () => Promise<string>) => {
      try {
        return { tx_hash: await f() };
      } catch (err) {
        if (err instanceof CodecError) throw RpcError.app('malformed_tx', err.message);
        throw err;
      }
    };
    /** `name` as a param name, or the same −32010 for show and history: an unknown name lists the known ones. */
    const knownParam = (name: string): ParamName => {
      if (!isParamName(name)) throw RpcError.notFound(`unknown governance param ${name} (known: ${PARAM_NAMES.join(', ')})`);
      return name;
    };
    const paramRow = (name: ParamName) => {
      const b = PARAMS[name];
      return { name, value: getParam(svc.state(), name).toString(), default: b.default.toString(), min: b.min.toString(), max: b.max.toString(), doc: b.doc };
    };
    return {
      handlers: {
        'gov.treasury.disbursements': (p) => {
          const c = svc.viewContext();
          const r = page(svc.state(), p);
          return { disbursements: r.items.map((d) => disbursementView(d, c)), ...(r.next_cursor !== undefined ? { next_cursor: r.next_cursor } : {}) };
        },
        'gov.treasury.disbursement': (p) => ({ disbursement: svc.view(p.id) }),
        'gov.treasury.balance': () => ({
          address: TREASURY_ADDRESS, balance: svc.balance().toString(), committed: committed(svc.state()).toString(),
          fees_accrued: svc.state().fees_accrued ?? '0', fee_share_bps: Number(getParam(svc.state(), 'treasury_fee_share_bps')), history: svc.balanceHistoryRows(),
        }),
        'gov.treasury.executor_status': () => {
          const l = svc.state().lease;
          const h = ctx.chain.tip().height;
          return { enabled: ctx.chain.nodeIsValidator, self: svc.self, lease: l && { ...l, live: l.expires_height > h }, intents: svc.queue.intents.map(({ tx_hex: _bytes, ...i }) => i), intents_file: svc.queue.file, last_error: svc.lastError };
        },
        'gov.treasury.preview': (p) => svc.preview(p.payload),
        'gov.treasury.submit_disbursement': (p) =>
          submit(() => {
            // the params schema already checked the payload field by field (−32602); the tx kind's
            // own decode runs the same checks on the text it will carry, then sign
            const call = kindByOp('create').decode([JSON.stringify(p.payload)]);
            return svc.submit(call, p.from);
          }),
        'gov.treasury.queue_disbursement': (p) => submit(() => svc.submit({ op: 'advance', id: p.id }, p.from)),
        'gov.treasury.vote_disbursement': (p) => submit(() => svc.submit({ op: 'vote', id: p.id, choice: p.choice }, p.from)),
        'gov.treasury.execute_disbursement': (p) => svc.execute(p.id),
        'gov.treasury.rollback_disbursement': (p) => submit(() => svc.submit({ op: 'rollback', id: p.id, reason: p.reason }, p.from)),
        'gov.param.show': (p) => {
          if (p.name === undefined) return PARAM_NAMES.map(paramRow);
          return [paramRow(knownParam(p.name))];
        },
        'gov.param.history': (p) => {
          const name = p.name === undefined ? undefined : knownParam(p.name);
          return [...svc.state().param_proposals].filter((x) => name === undefined || x.name === name).sort((a, b) => b.id - a.id).map((x) => ({ ...x, scheduled_epoch: x.scheduled_epoch ?? null }));
        },
        'gov.param.update': (p) => submit(() => svc.submit({ op: 'param_propose', name: p.name, value: BigInt(p.value), epoch: p.activation_epoch ?? null }, p.from)),
        'gov.param.vote': (p) => submit(() => svc.submit({ op: 'param_vote', id: p.id, choice: p.choice }, p.from)),
        'gov.param.rollback': (p) => submit(() => svc.submit({ op: 'param_rollback', id: p.id, reason: p.reason }, p.from)),
      },
      deadlines: () => svc.deadlines(),
      close: () => svc.close(),
    };
  },
});
