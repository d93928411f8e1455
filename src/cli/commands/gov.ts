/**
 * `contract-cli gov …` — treasury disbursements and governance params (issue 13; spec/treasury.md §6):
 *   gov disburse preview --json F [--check]      schema (here) + chain checks (node: gov.treasury.preview)
 *   gov disburse template [--out F]              writes a payload template
 *   gov disburse create --json F [--from KEY]    submits a Draft (gov.treasury.submit_disbursement)
 *   gov disburse queue --id N [--from KEY]       Draft → Voting
 *   gov disburse execute --id N                  execute (the node key takes the executor lease; the treasury pays the fee)
 *   gov disburse vote --id N --choice yes|no|abstain [--from KEY]
 *   gov disburse rollback --id N --reason TEXT [--from KEY]
 *   gov disburse show --id N                     the timeline (JSON = the console's timeline model)
 *   gov disburse list [--status S] [--search Q] [--limit N] [--cursor N]
 *   gov treasury balance | executor-status
 *   gov param show [NAME] | history [--name N] | update NAME VALUE [--epoch E] | vote --id N --choice C | rollback --id N --reason R
 * `--from KEY`: the local wallet key (keys/wallets/KEY.json on the node, "faucet" on dev) that signs
 * the call and pays its fee; without it the node key signs and pays.
 * Exit codes: 0 ok; 1 check failed / node error; 2 usage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import type { DisbursementView } from '../../shared/api/treasury.js';
import { DISBURSEMENT_STATUS_NAMES } from '../../shared/api/treasury.js';
import { validatePayload, type PayloadIssue } from '../../node-core/treasury/index.js';
import { clientFor, intFlag, output, SilentFailure, table, UsageError, withCommon, type CommonOpts } from '../common.js';

const CHOICES = ['yes', 'no', 'abstain'];

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--json: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--json: ${file} is not JSON: ${(err as Error).message}`);
  }
}

const idOpt = () => new Option('--id <n>', 'disbursement id').makeOptionMandatory();
const fromOpt = () => new Option('--from <key>', 'local wallet key that signs and pays the fee (default: the node key)');
const fromOf = (o: { from?: string }) => (o.from ? { from: o.from } : {});

/** Human lines of a disbursement timeline. */
export function timelineLines(d: DisbursementView): string[] {
  const lines = table([
    ['disbursement', `#${d.id} ${d.title}`],
    ['status', d.status + (d.rollback ? ` — ${d.rollback.reason}` : '')],
    ['effect', `${d.amount} → ${d.destination} (treasury ${d.effect.treasury_before} → ${d.effect.treasury_after})`],
    ['votes', `yes ${d.votes.yes} / no ${d.votes.no} / abstain ${d.votes.abstain} of ${d.votes.total_stake}; turnout ${d.votes.turnout_ppm / 10_000}% (quorum ${d.votes.quorum_ppm / 10_000}%) ${d.votes.passing ? 'passing' : 'not passing'}`],
    ['next', d.next ? `${d.next.event} at height ${d.next.height} (in ${d.next.blocks_left} blocks, ~${new Date(d.next.eta_ms).toISOString()})` : '—'],
    ['tx', d.tx_hash ? `${d.tx_hash}${d.execution_fee !== null ? ` (fee ${d.execution_fee}, paid by the treasury)` : ''}` : '—'],
    ['receipts', d.receipts.map((r) => `${r.account}:${r.amount}`).join(', ') || '—'],
  ]);
  if (d.rollback?.compensation) lines.push(`compensation  ${d.rollback.compensation.amount} ${d.rollback.compensation.from} → ${d.rollback.compensation.to} in tx ${d.rollback.compensation.tx_hash} at height ${d.rollback.compensation.height}`);
  lines.push('', 'stage        height  time                      by');
  for (const s of d.stages) lines.push(`${s.status.padEnd(12)} ${String(s.height).padEnd(7)} ${new Date(s.at_ms).toISOString().padEnd(25)} ${s.by}`);
  return lines;
}

function issueLines(issues: PayloadIssue[]): string[] {
  return issues.map((i) => `${i.severity === 'error' ? 'ERROR' : 'warn '}  ${i.path}: ${i.message} (${i.code})`);
}

function disburseCommand(): Command {
  const c = new Command('disburse').description('treasury disbursements: preview, create, vote, execute, rollback, show');

  withCommon(c.command('preview').description('validate a payload against the schema and the current chain').requiredOption('--json <file>', 'payload file').option('--check', 'exit 1 when any error is found')).action(
    async (opts: CommonOpts & { json: string; check?: boolean }) => {
      const payload = await readJson(opts.json);
      const local = validatePayload(payload);
      let issues: PayloadIssue[] = local.issues;
      let windows: unknown = null;
      if (local.payload) {
        try {
          const { client } = clientFor(opts);
          const r = await client.call('gov.treasury.preview', { payload });
          issues = r.issues;
          windows = r.windows;
        } catch (err) {
          issues = [...issues, { path: '(chain)', code: 'NetworkError', message: `chain checks not run: ${(err as Error).message}`, severity: 'error' }];
        }
      }
      const ok = !issues.some((i) => i.severity === 'error');
      output(opts.format, { ok, issues, windows }, () => [...issueLines(issues), ok ? `ok: ${opts.json} is a valid disbursement payload` : `${issues.filter((i) => i.severity === 'error').length} error(s) in ${opts.json}`]);
      if (!ok && opts.check) throw new SilentFailure();
    },
  );

  withCommon(c.command('template').description('write a payload template').option('--out <file>', 'file to write', 'disbursement.json'), { rpc: false }).action(async (opts: CommonOpts & { out: string }) => {
    const t = {
      proposal: { title: 'title', summary: 'summary', deps: [], attachments: [], quorum: { operators_ppm: 670000, builders_ppm: 670000 }, vote_window_epochs: 6, timelock_epochs: 2, rollback_window_epochs: 1 },
      disbursement: { destination: 'tb1' + '0'.repeat(40), amount: 1, memo: '', scheduled_epoch: 1, expected_receipts: [] },
    };
    await writeFile(opts.out, JSON.stringify(t, null, 2) + '\n', { flag: 'wx' }).catch((err: Error) => {
      throw new UsageError(`--out: ${err.message}`);
    });
    output(opts.format, { written: opts.out }, () => `template written to ${opts.out}`);
  });

  withCommon(c.command('create').description('submit a payload as a Draft disbursement').requiredOption('--json <file>', 'payload file').addOption(fromOpt())).action(async (opts: CommonOpts & { json: string; from?: string }) => {
    const payload = await readJson(opts.json);
    const local = validatePayload(payload);
    if (!local.payload) throw new UsageError(`--json: ${opts.json} is not a valid payload:\n${issueLines(local.issues).join('\n')}`);
    const { client } = clientFor(opts);
    const r = await client.call('gov.treasury.submit_disbursement', { payload: local.payload, ...fromOf(opts) });
    output(opts.format, r, () => `submitted: tx ${r.tx_hash} (the Draft appears once it is in a block; see gov disburse list)`);
  });

  withCommon(c.command('queue').description('open the vote on a Draft (Draft → Voting)').addOption(idOpt()).addOption(fromOpt())).action(async (opts: CommonOpts & { id: string; from?: string }) => {
    const { client } = clientFor(opts);
    const r = await client.call('gov.treasury.queue_disbursement', { id: intFlag('--id', opts.id), ...fromOf(opts) });
    output(opts.format, r, () => `submitted: tx ${r.tx_hash}`);
  });
  withCommon(c.command('execute').description('execute a Timelocked disbursement whose scheduled epoch has started (the node key takes the executor lease first)').addOption(idOpt())).action(async (opts: CommonOpts & { id: string }) => {
    const { client } = clientFor(opts, 90_000);
    const r = await client.call('gov.treasury.execute_disbursement', { id: intFlag('--id', opts.id) });
    output(opts.format, r, () => `submitted: tx ${r.tx_hash}${r.lease_tx_hash ? ` (lease tx ${r.lease_tx_hash})` : ''}`);
  });

  withCommon(c.command('vote').description('vote with this node\'s validator key (or the validator wallet key --from)').addOption(idOpt()).addOption(new Option('--choice <c>', 'yes|no|abstain').choices(CHOICES).makeOptionMandatory()).addOption(fromOpt())).action(
    async (opts: CommonOpts & { id: string; choice: 'yes' | 'no' | 'abstain'; from?: string }) => {
      const { client } = clientFor(opts);
      const r = await client.call('gov.treasury.vote_disbursement', { id: intFlag('--id', opts.id), choice: opts.choice, ...fromOf(opts) });
      output(opts.format, r, () => `vote ${opts.choice} submitted: tx ${r.tx_hash}`);
    },
  );

  withCommon(c.command('rollback').description('roll back (cancel, or compensate inside the rollback window)').addOption(idOpt()).requiredOption('--reason <text>', 'why (recorded in provenance.json)').addOption(fromOpt())).action(
    async (opts: CommonOpts & { id: string; reason: string; from?: string }) => {
      const { client } = clientFor(opts);
      const r = await client.call('gov.treasury.rollback_disbursement', { id: intFlag('--id', opts.id), reason: opts.reason, ...fromOf(opts) });
      output(opts.format, r, () => `rollback submitted: tx ${r.tx_hash}`);
    },
  );

  withCommon(c.command('show').description('one disbursement\'s timeline').addOption(idOpt())).action(async (opts: CommonOpts & { id: string }) => {
    const { client } = clientFor(opts);
    const r = await client.call('gov.treasury.disbursement', { id: intFlag('--id', opts.id) });
    output(opts.format, r.disbursement, timelineLines);
  });

  withCommon(
    c
      .command('list')
      .description('disbursements, newest first')
      .addOption(new Option('--status <s>', 'status filter').choices([...DISBURSEMENT_STATUS_NAMES]))
      .option('--search <q>', 'case-insensitive search over title/destination/memo')
      .option('--limit <n>', 'page size (1-200)', '50')
      .option('--cursor <id>', 'ids below this'),
  ).action(async (opts: CommonOpts & { status?: (typeof DISBURSEMENT_STATUS_NAMES)[number]; search?: string; limit: string; cursor?: string }) => {
    const { client } = clientFor(opts);
    const r = await client.call('gov.treasury.disbursements', {
      limit: intFlag('--limit', opts.limit),
      ...(opts.status ? { status: opts.status } : {}),
      ...(opts.search ? { search: opts.search } : {}),
      ...(opts.cursor ? { cursor: intFlag('--cursor', opts.cursor) } : {}),
    });
    output(opts.format, r, () => [
      ...(r.disbursements.length === 0 ? ['no disbursements'] : r.disbursements.map((d) => `#${String(d.id).padEnd(5)} ${d.status.padEnd(11)} ${d.amount.padStart(14)} → ${d.destination}  ${d.title}`)),
      ...(r.next_cursor !== undefined ? [`more: --cursor ${r.next_cursor}`] : []),
    ]);
  });
  return c;
}

function treasuryCommand(): Command {
  const c = new Command('treasury').description('treasury balance and executor');
  withCommon(c.command('balance').description('treasury account balance and committed amount')).action(async (opts: CommonOpts) => {
    const { client } = clientFor(opts);
    const r = await client.call('gov.treasury.balance', []);
    output(opts.format, r, () => table([['address', r.address], ['balance', r.balance], ['committed', r.committed], ['from fees', `${r.fees_accrued} (share ${r.fee_share_bps / 100} % of each block's fees)`]]));
  });
  withCommon(c.command('executor-status').description('executor lease holder, expiry, renewals and the intent queue')).action(async (opts: CommonOpts) => {
    const { client } = clientFor(opts);
    const r = await client.call('gov.treasury.executor_status', []);
    output(opts.format, r, () => [
      ...table([
        ['this node', `${r.self}${r.enabled ? ' (validator)' : ''}`],
        ['lease', r.lease ? `#${r.lease.id} held by ${r.lease.holder} until height ${r.lease.expires_height} (${r.lease.live ? 'live' : 'expired'}, ${r.lease.renewals} renewals)` : 'none'],
        ['intents', r.intents.length === 0 ? 'none' : r.intents.map((i) => `#${i.disbursement_id} tx ${i.tx_hash} nonce ${i.nonce} staged @${i.staged_height} under lease ${i.lease ? `#${i.lease.id} (${i.lease.holder}, until ${i.lease.expires_height}, ${i.lease.renewals} renewals)` : 'none'}, submitted ${i.submissions}×`).join('; ')],
        ['intents file', r.intents_file],
        ['last error', r.last_error ?? '—'],
      ]),
    ]);
  });
  return c;
}

function paramCommand(): Command {
  const c = new Command('param').description('governance params: show, history, update (propose), vote, rollback');
  withCommon(c.command('show').description('params in force').argument('[name]')).action(async (name: string | undefined, opts: CommonOpts) => {
    const { client } = clientFor(opts);
    const r = await client.call('gov.param.show', name ? { name } : {});
    output(opts.format, r, () => r.map((p) => `${p.name.padEnd(32)} ${p.value.padStart(12)}  (default ${p.default}, ${p.min}..${p.max}) ${p.doc}`));
  });
  withCommon(c.command('history').description('param proposals, newest first').option('--name <n>', 'only this param')).action(async (opts: CommonOpts & { name?: string }) => {
    const { client } = clientFor(opts);
    const r = await client.call('gov.param.history', opts.name ? { name: opts.name } : {});
    output(opts.format, r, () => (r.length === 0 ? ['no param proposals'] : r.map((p) => `#${String(p.id).padEnd(4)} ${p.name} = ${p.value} ${p.status.padEnd(10)} vote until ${p.vote_deadline_height}${p.scheduled_epoch !== null ? `, scheduled epoch ${p.scheduled_epoch}` : ''}${p.activation_height !== null ? `, activation ${p.activation_height}` : ''}${p.rollback_reason ? ` — rolled back: ${p.rollback_reason}` : ''}`)));
  });
  withCommon(c.command('update').description('propose a new value (the proposer votes yes)').argument('<name>').argument('<value>').option('--epoch <n>', 'earliest activation epoch (default: the first epoch boundary after the vote passes)').addOption(fromOpt())).action(async (name: string, value: string, opts: CommonOpts & { epoch?: string; from?: string }) => {
    if (!/^\d+$/.test(value)) throw new UsageError(`value: "${value}" is not a non-negative integer`);
    const { client } = clientFor(opts);
    const r = await client.call('gov.param.update', { name, value, ...(opts.epoch !== undefined ? { activation_epoch: intFlag('--epoch', opts.epoch) } : {}), ...fromOf(opts) });
    output(opts.format, r, () => `proposal submitted: tx ${r.tx_hash}`);
  });
  withCommon(c.command('vote').description('vote on a param proposal').requiredOption('--id <n>', 'proposal id').addOption(new Option('--choice <c>', 'yes|no|abstain').choices(CHOICES).makeOptionMandatory()).addOption(fromOpt())).action(
    async (opts: CommonOpts & { id: string; choice: 'yes' | 'no' | 'abstain'; from?: string }) => {
      const { client } = clientFor(opts);
      const r = await client.call('gov.param.vote', { id: intFlag('--id', opts.id), choice: opts.choice, ...fromOf(opts) });
      output(opts.format, r, () => `vote submitted: tx ${r.tx_hash}`);
    },
  );
  withCommon(c.command('rollback').description('roll back an Active change within ROLLBACK_WINDOW_EPOCHS').requiredOption('--id <n>', 'proposal id').requiredOption('--reason <text>', 'why').addOption(fromOpt())).action(
    async (opts: CommonOpts & { id: string; reason: string; from?: string }) => {
      const { client } = clientFor(opts);
      const r = await client.call('gov.param.rollback', { id: intFlag('--id', opts.id), reason: opts.reason, ...fromOf(opts) });
      output(opts.format, r, () => `rollback submitted: tx ${r.tx_hash}`);
    },
  );
  return c;
}

export function govCommand(): Command {
  const gov = new Command('gov').description('treasury disbursements and governance params');
  gov.addCommand(disburseCommand());
  gov.addCommand(treasuryCommand());
  gov.addCommand(paramCommand());
  return gov;
}
