/**
 * Send a transfer in three steps: the form (validated, with the fee estimate from
 * `mempool.stats`), a confirmation, then the transaction's status until it is included
 * (`tx.status`, asked again on each new head) and the receiver's balance (`account.get`).
 */
import { useState } from 'react';
import type { WalletKey } from '../../../shared/api/types';
import { rpc } from '../api/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { fmtInt, shortHash } from '../format';
import { validateTransfer, type TransferDraft, type TransferField } from './validate';

type Step = { kind: 'edit' } | { kind: 'confirm' } | { kind: 'sent'; hash: string; to: string; fee: string; nonce: string };

function FieldError({ field, msg }: { field: TransferField; msg?: string }) {
  return msg ? (
    <div className="field__error" data-testid={`transfer-${field}-error`}>
      {msg}
    </div>
  ) : null;
}

function TxProgress({ hash, to, onAgain }: { hash: string; to: string; onAgain(): void }) {
  const status = rpc['tx.status'].useQuery({ hash });
  const receiver = rpc['account.get'].useQuery({ address: to });
  const s = status.data?.status;
  return (
    <div className="tx-progress" data-testid="transfer-result">
      <div className="tx-progress__head">
        <span className={`pill ${s === 'included' ? 'pill--ok' : s === 'unknown' ? 'pill--bad' : 'pill--warn'}`} data-testid="transfer-status">
          {s ?? 'submitted'}
        </span>
        {s === 'included' && status.data?.height !== undefined && (
          <span data-testid="transfer-height">in block #{fmtInt(status.data.height)}</span>
        )}
        {s !== 'included' && s !== 'unknown' && <span className="muted">waiting for the next block…</span>}
      </div>
      <dl className="kv kv--compact">
        <div className="kv__row">
          <dt>Transaction</dt>
          <dd className="mono" title={hash} data-testid="transfer-hash">
            {shortHash(hash, 12)}
          </dd>
        </div>
        <div className="kv__row">
          <dt>Receiver balance</dt>
          <dd className="mono" data-testid="receiver-balance">
            {receiver.data ? fmtInt(receiver.data.balance) : '—'}
          </dd>
        </div>
      </dl>
      <ErrorNote error={status.error ?? receiver.error} />
      <button className="btn" onClick={onAgain} data-testid="transfer-new">
        New transfer
      </button>
    </div>
  );
}

export function TransferForm({ keys, from, setFrom }: { keys: WalletKey[]; from: string; setFrom(name: string): void }) {
  const [draft, setDraft] = useState<Omit<TransferDraft, 'from'>>({ to: '', amount: '', fee: '' });
  const [touched, setTouched] = useState(false);
  // Fields the operator has left: their errors show at once, as in the other forms; Review shows all.
  const [left, setLeft] = useState<ReadonlySet<TransferField>>(new Set());
  const leave = (f: TransferField) => () => setLeft((s) => (s.has(f) ? s : new Set(s).add(f)));
  const [step, setStep] = useState<Step>({ kind: 'edit' });
  const mempool = rpc['mempool.stats'].useQuery();
  const transfer = rpc['wallet.transfer'].useMutation();
  const sender = keys.find((k) => k.name === from);
  const feeFloor = mempool.data ? BigInt(mempool.data.fee_floor) : undefined;
  const check = validateTransfer({ ...draft, from }, { balance: sender?.balance !== undefined ? BigInt(sender.balance) : undefined, feeFloor });
  const errors = touched ? check.errors : Object.fromEntries(Object.entries(check.errors).filter(([f]) => left.has(f as TransferField)));
  const ok = Object.keys(check.errors).length === 0;
  const set = (k: keyof typeof draft) => (e: React.ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, [k]: e.target.value });

  if (step.kind === 'sent') {
    return (
      <TxProgress
        hash={step.hash}
        to={step.to}
        onAgain={() => {
          setDraft({ to: '', amount: '', fee: '' });
          setTouched(false);
          setLeft(new Set());
          transfer.reset();
          setStep({ kind: 'edit' });
        }}
      />
    );
  }

  if (step.kind === 'confirm' && check.amount !== undefined && check.fee !== undefined) {
    const after = sender?.balance !== undefined && check.total !== undefined ? BigInt(sender.balance) - check.total : undefined;
    return (
      <div className="confirm" data-testid="transfer-confirm">
        <p className="confirm__lead">Check the transfer. It cannot be undone once it is in a block.</p>
        <dl className="kv">
          <div className="kv__row">
            <dt>From</dt>
            <dd>
              {from} <span className="mono muted">{shortHash(sender?.address, 8)}</span>
            </dd>
          </div>
          <div className="kv__row">
            <dt>To</dt>
            <dd className="mono" data-testid="confirm-to">
              {draft.to.trim()}
            </dd>
          </div>
          <div className="kv__row">
            <dt>Amount</dt>
            <dd className="mono" data-testid="confirm-amount">
              {fmtInt(check.amount)}
            </dd>
          </div>
          <div className="kv__row">
            <dt>Fee</dt>
            <dd className="mono" data-testid="confirm-fee">
              {fmtInt(check.fee)}
            </dd>
          </div>
          <div className="kv__row">
            <dt>Balance after</dt>
            <dd className="mono">{after === undefined ? '—' : fmtInt(after)}</dd>
          </div>
        </dl>
        <ErrorNote error={transfer.error} testId="transfer-error" prefix="Not sent" />
        <div className="row-actions">
          <button className="btn btn--ghost" onClick={() => setStep({ kind: 'edit' })} disabled={transfer.isPending} data-testid="transfer-back">
            Back
          </button>
          <button
            className="btn btn--primary"
            data-testid="transfer-confirm-send"
            disabled={transfer.isPending}
            onClick={() =>
              transfer.mutate(
                { from, to: draft.to.trim(), amount: check.amount!.toString(), fee: check.fee!.toString() },
                { onSuccess: (r) => setStep({ kind: 'sent', hash: r.hash, to: draft.to.trim(), fee: r.fee, nonce: r.nonce }) },
              )
            }
          >
            {transfer.isPending ? 'Sending…' : 'Confirm and send'}
          </button>
        </div>
      </div>
    );
  }

  return (
    <form
      className="form"
      noValidate
      data-testid="transfer-form"
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (ok) setStep({ kind: 'confirm' });
      }}
    >
      <label className="field">
        <span>From</span>
        <select value={from} onChange={(e) => setFrom(e.target.value)} data-testid="transfer-from">
          {keys.map((k) => (
            <option key={k.name} value={k.name}>
              {k.name} — {fmtInt(k.balance)}
            </option>
          ))}
        </select>
        <FieldError field="from" msg={errors.from} />
      </label>
      <label className="field">
        <span>To</span>
        <input className="input mono" placeholder="tb1…" value={draft.to} onChange={set('to')} onBlur={leave('to')} spellCheck={false} autoComplete="off" data-testid="transfer-to" aria-invalid={!!errors.to} />
        <FieldError field="to" msg={errors.to} />
        {keys.length > 1 && (
          <div className="chips">
            {keys
              .filter((k) => k.name !== from)
              .map((k) => (
                <button type="button" key={k.name} className="chip" onClick={() => setDraft({ ...draft, to: k.address })} data-testid={`transfer-to-key-${k.name}`}>
                  {k.name}
                </button>
              ))}
          </div>
        )}
      </label>
      <div className="field-row">
        <label className="field">
          <span>Amount (base units)</span>
          <input className="input mono" inputMode="numeric" value={draft.amount} onChange={set('amount')} onBlur={leave('amount')} data-testid="transfer-amount" aria-invalid={!!errors.amount} />
          <FieldError field="amount" msg={errors.amount} />
        </label>
        <label className="field">
          <span>Fee (base units)</span>
          <input className="input mono" inputMode="numeric" placeholder={feeFloor !== undefined ? String(feeFloor) : ''} value={draft.fee} onChange={set('fee')} onBlur={leave('fee')} data-testid="transfer-fee" aria-invalid={!!errors.fee} />
          <FieldError field="fee" msg={errors.fee} />
        </label>
      </div>
      <div className="fee-estimate muted small" data-testid="fee-estimate">
        {mempool.data
          ? `Fee estimate: ${fmtInt(mempool.data.fee_floor)} (mempool floor) · recent fees p50 ${fmtInt(mempool.data.fee_p50)}, p90 ${fmtInt(mempool.data.fee_p90)} · ${fmtInt(mempool.data.size)} pending`
          : 'Fee estimate: loading…'}
      </div>
      <ErrorNote error={mempool.error} />
      <div className="row-actions">
        <button type="submit" className="btn btn--primary" data-testid="transfer-review">
          Review transfer
        </button>
      </div>
    </form>
  );
}
