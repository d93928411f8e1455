/**
 * `contract-cli governor status | intents [--gate NAME] [--limit N] | snapshot --epoch N [--verify] [--file PATH]`
 * (spec/governor.md §7; issue 4). `status` and `intents` ask the node (`governor.status`,
 * `governor.decisions`); `snapshot` fetches an epoch's decision file (`governor.snapshot`) and,
 * with `--verify`, checks it here: the BLAKE3 of the exact file bytes against the `.sig` sidecar
 * and the recorded decisions, the Ed25519 signature, and the signer against the node's key.
 * `--file` verifies a decision file on disk (e.g. from a backup) without a node.
 * Exit codes: 0 ok; 1 verification failed / not found / node error; 2 usage.
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { GATE_NAMES, type GateName, type GovernorStatus, type IntentSummary, type SnapshotFound } from '../../shared/api/governor.js';
import { blake3Hex, checkAttestation } from '../../node-core/governor/index.js';
import { clientFor, intFlag, output, SilentFailure, table, UsageError, withCommon, type CommonOpts } from '../common.js';

function gateFlag(v: string): GateName {
  const g = v.toLowerCase();
  if (!(GATE_NAMES as readonly string[]).includes(g)) throw new UsageError(`--gate: "${v}" is not a gate; one of ${GATE_NAMES.join(', ')}`);
  return g as GateName;
}

function statusLines(s: GovernorStatus | { status: 'disabled' }): string[] {
  if (s.status === 'disabled') return ['governor: disabled (start the node with TB_GOVERNOR_ENABLED=1)'];
  const lines = table([
    ['epoch', `${s.epoch} (height ${s.height})`],
    ['window', `${s.window_secs} s (epoch ${s.epoch_secs} s; streak required ${s.gates[0]?.streak_required ?? '—'})`],
    ['mode', s.shadow_only ? 'shadow (decisions recorded, never submitted)' : 'apply (intents submitted as chain transactions)'],
    ['signing', s.signing.enabled ? `on, key ${s.signing.pubkey_hex}` : 'off'],
    ['pending intents', s.pending.length],
    ['params in force', Object.keys(s.params).length === 0 ? 'none' : JSON.stringify(s.params)],
  ]);
  lines.push('', 'gate                      state      signal     enter/exit/req  last reason');
  for (const g of s.gates)
    lines.push(`${g.name.padEnd(25)} ${g.state.padEnd(10)} ${g.signal.padEnd(10)} ${`${g.enter_streak}/${g.exit_streak}/${g.streak_required}`.padEnd(15)} ${g.last_reason}`);
  const p = s.release_provenance;
  lines.push('');
  if (!p) lines.push('latest decision file: none yet');
  else if (!p.attestation) lines.push(`latest decision file: epoch ${p.epoch}, BLAKE3 ${p.snapshot_hash} (no attestation: signing was off)`);
  else if (p.attestation.payload_hash_hex !== p.snapshot_hash) lines.push(`latest decision file: epoch ${p.epoch}: attestation hash ${p.attestation.payload_hash_hex} ≠ snapshot hash ${p.snapshot_hash}`);
  else lines.push(`latest decision file: epoch ${p.epoch}, BLAKE3 ${p.snapshot_hash}; attestation matches (key ${p.attestation.pubkey_hex})`);
  return lines;
}

function intentLines(list: IntentSummary[]): string[] {
  if (list.length === 0) return ['no decisions'];
  return list.map(
    (i) => `${i.id.padEnd(32)} ${`${i.from_state} → ${i.to_state}`.padEnd(22)} apply@${String(i.epoch_apply).padEnd(6)} ${i.state.padEnd(8)} ${i.hold_reason ?? i.reason}`,
  );
}

interface Check {
  ok: boolean;
  line: string;
}

/** Checks of one decision file, done here on the exact bytes. */
function verifyBytes(bytes: Uint8Array, s: Pick<SnapshotFound, 'attestation'>, expect: { pubkey?: string | null; recorded?: IntentSummary[] }): Check[] {
  const hash = blake3Hex(bytes);
  const out: Check[] = [{ ok: true, line: `BLAKE3 of the file bytes: ${hash}` }];
  const sig = checkAttestation(bytes, s.attestation);
  out.push({ ok: sig.signature === 'valid', line: `signature: ${sig.signature} — ${sig.detail}` });
  if (sig.signature === 'valid' && expect.pubkey && s.attestation!.pubkey_hex !== expect.pubkey)
    out.push({ ok: false, line: `signer ${s.attestation!.pubkey_hex} is not the node's decision key ${expect.pubkey}` });
  if (expect.recorded) {
    const bad = expect.recorded.filter((r) => r.snapshot_hash_hex !== hash);
    out.push(
      expect.recorded.length === 0
        ? { ok: false, line: 'no recorded decision of the node names this file' }
        : bad.length === 0
          ? { ok: true, line: `the node's ${expect.recorded.length} recorded decision(s) name this hash` }
          : { ok: false, line: `recorded decision ${bad[0].id} names hash ${bad[0].snapshot_hash_hex}, the file hashes to ${hash}` },
    );
  }
  return out;
}

function report(checks: Check[], format: CommonOpts['format'], extra: Record<string, unknown>): void {
  const ok = checks.every((c) => c.ok);
  output(format, { ...extra, verified: ok, checks: checks.map((c) => ({ ok: c.ok, detail: c.line })) }, () => [
    ...checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.line}`),
    ...(ok ? ['verified: the decision file is intact and its Ed25519 signature verifies'] : []),
  ]);
  if (!ok) {
    process.stderr.write(`error: verification FAILED: ${checks.find((c) => !c.ok)!.line} (the decision file was tampered with or corrupted)\n`);
    throw new SilentFailure(1);
  }
}

export function governorCommand(): Command {
  const gov = new Command('governor').description('launch governor: gates, decisions (intents) and signed decision snapshots');

  withCommon(gov.command('status').description('gate states, streaks, last reasons, pending intents (governor.status)')).action(async (opts: CommonOpts) => {
    const { client } = clientFor(opts);
    output(opts.format, await client.call('governor.status', []), statusLines);
  });

  withCommon(
    gov
      .command('intents')
      .description('recent decisions, newest first (governor.decisions)')
      .addOption(new Option('--gate <name>', `only this gate (${GATE_NAMES.join(', ')})`))
      .addOption(new Option('--limit <n>', 'how many (1-500)').default('20')),
  ).action(async (opts: CommonOpts & { gate?: string; limit: string }) => {
    const limit = intFlag('--limit', opts.limit);
    if (limit < 1 || limit > 500) throw new UsageError('--limit: must be 1 to 500');
    const gate = opts.gate === undefined ? undefined : gateFlag(opts.gate);
    const { client } = clientFor(opts);
    const list = await client.call('governor.decisions', gate ? { limit, gate } : { limit });
    output(opts.format, list, intentLines);
  });

  withCommon(
    gov
      .command('snapshot')
      .description('decision file of an epoch (governor/decisions/epoch-N.json); --verify checks hash and signature')
      .addOption(new Option('--epoch <n>', 'epoch (epoch_apply of the decisions)'))
      .addOption(new Option('--verify', 'check BLAKE3 and the Ed25519 .sig sidecar here; exit 1 when they do not match'))
      .addOption(new Option('--file <path>', 'verify a decision file on disk (its .sig next to it) without asking a node')),
  ).action(async (opts: CommonOpts & { epoch?: string; verify?: boolean; file?: string }) => {
    if (opts.file !== undefined) {
      const bytes = new Uint8Array(await readFile(opts.file).catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(`--file: cannot read ${opts.file} (${e.code ?? e.message})`);
      }));
      let attestation: SnapshotFound['attestation'] = null;
      try {
        attestation = JSON.parse(await readFile(`${opts.file}.sig`, 'utf8')) as SnapshotFound['attestation'];
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') attestation = { payload_hash_hex: '', pubkey_hex: '', signature_hex: '' };
      }
      report(verifyBytes(bytes, { attestation }, {}), opts.format, { file: opts.file, attestation });
      return;
    }
    if (opts.epoch === undefined) throw new UsageError('--epoch <n> is required (or --file <path>)');
    const epoch = intFlag('--epoch', opts.epoch);
    const { client } = clientFor(opts);
    const s = await client.call('governor.snapshot', [epoch]);
    if (s.status === 'disabled') throw new Error('the governor is disabled on this node (TB_GOVERNOR_ENABLED)');
    if (s.status === 'not_found') throw new Error(`no decision file for epoch ${epoch}: nothing was decided to apply at that epoch (see contract-cli governor intents)`);
    if (!opts.verify) {
      output(opts.format, s, (r) => [
        ...table([
          ['file', r.path],
          ['BLAKE3', r.payload_hash_hex],
          ['signature (node check)', `${r.verification.signature} — ${r.verification.detail}`],
        ]),
        '',
        r.file_text,
      ]);
      return;
    }
    const status = await client.call('governor.status', []);
    const pubkey = status.status === 'enabled' ? status.signing.pubkey_hex : null;
    const recorded = (await client.call('governor.decisions', { limit: 500 })).filter((d) => d.epoch_apply === epoch);
    const checks = verifyBytes(new TextEncoder().encode(s.file_text), s, { pubkey, recorded });
    report(checks, opts.format, { epoch, path: s.path, payload_hash_hex: s.payload_hash_hex, node_verification: s.verification });
  });
  return gov;
}
