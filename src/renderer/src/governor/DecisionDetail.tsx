/**
 * A decision and its snapshot file: the JSON as stored, its BLAKE3, and the signature checked
 * twice — by the node (`governor.snapshot` verification) and here with @noble (verify.ts).
 */
import { useEffect, useState } from 'react';
import type { IntentSummary, SignatureCheck } from '../../../shared/api/governor';
import { rpc } from '../api/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { verifyDecisionFile, type RendererCheck } from './verify';

const TONE: Record<SignatureCheck, string> = { valid: 'ok', invalid: 'bad', unsigned: 'warn' };

function Verdict({ who, s, detail, testId }: { who: string; s: SignatureCheck; detail: string; testId: string }) {
  return (
    <div className="verdict">
      <span className="verdict__who">{who}</span>
      <span className={`pill pill--${TONE[s]}`} data-testid={testId}>
        {s}
      </span>
      <span className="verdict__detail">{detail}</span>
    </div>
  );
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text; // shown as stored: a corrupted file is evidence
  }
}

export function DecisionDetail({ d }: { d: IntentSummary }) {
  const snap = rpc['governor.snapshot'].useQuery({ epoch: d.epoch_apply });
  const [local, setLocal] = useState<RendererCheck | null>(null);
  const s = snap.data;
  useEffect(() => {
    setLocal(null);
    if (s?.status !== 'found') return;
    let live = true;
    void verifyDecisionFile(s.file_text, s.attestation).then((r) => live && setLocal(r));
    return () => {
      live = false;
    };
  }, [s]);
  return (
    <div className="detail" data-testid="decision-detail" data-intent={d.id}>
      <p className="detail__reason">
        <b>
          {d.gate}: {d.from_state} → {d.to_state}
        </b>{' '}
        — {d.reason}
      </p>
      <dl className="kv kv--compact">
        <div className="kv__row">
          <dt>Patch</dt>
          <dd className="mono">{JSON.stringify(d.params_patch)}</dd>
        </div>
        {d.hold_reason && (
          <div className="kv__row">
            <dt>Held</dt>
            <dd className="tone--bad">{d.hold_reason}</dd>
          </div>
        )}
      </dl>
      <ErrorNote error={snap.error} />
      {s?.status === 'not_found' && <p className="muted">No decision file for epoch {d.epoch_apply}.</p>}
      {s?.status === 'found' && (
        <>
          <dl className="kv kv--compact">
            <div className="kv__row">
              <dt>File</dt>
              <dd className="mono">{s.path}</dd>
            </div>
            <div className="kv__row">
              <dt>BLAKE3 (node)</dt>
              <dd className="mono hash" data-testid="snapshot-hash">
                {s.payload_hash_hex}
              </dd>
            </div>
            <div className="kv__row">
              <dt>BLAKE3 (this console)</dt>
              <dd className="mono hash" data-testid="snapshot-hash-local">
                {local?.hash ?? '…'}
              </dd>
            </div>
            <div className="kv__row">
              <dt>Recorded hash</dt>
              <dd className="mono hash">{d.snapshot_hash_hex}</dd>
            </div>
            <div className="kv__row">
              <dt>Signer</dt>
              <dd className="mono hash">{s.attestation?.pubkey_hex ?? '— (unsigned)'}</dd>
            </div>
          </dl>
          <div className="verdicts">
            <Verdict who="Node" s={s.verification.signature} detail={s.verification.detail} testId="sig-node" />
            {local ? <Verdict who="This console" s={local.signature} detail={local.detail} testId="sig-renderer" /> : <div className="muted">checking…</div>}
          </div>
          <pre className="json" data-testid="snapshot-json">
            {pretty(s.file_text)}
          </pre>
        </>
      )}
    </div>
  );
}
