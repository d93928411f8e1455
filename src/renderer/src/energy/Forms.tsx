/**
 * Energy page forms: register a provider, and submit / verify a signed reading (JSON pasted or
 * loaded). Inline validation names the exact failing field before sending; the node's own
 * refusal (reason + field issues) is shown in place.
 */
import { useState } from 'react';
import { rpc } from '../api/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { parseReading, validateRegister, type FieldErrors } from './model';

function Field({ name, label, value, set, errors, placeholder }: { name: string; label: string; value: string; set: (v: string) => void; errors: FieldErrors; placeholder?: string }) {
  return (
    <label className="field">
      <span>{label}</span>
      <input className="input" value={value} placeholder={placeholder} aria-invalid={errors[name] ? 'true' : undefined} onChange={(e) => set(e.target.value.trim())} data-testid={`energy-reg-${name}`} />
      {errors[name] && (
        <span className="field__error" data-testid={`energy-reg-error-${name}`}>
          {errors[name]}
        </span>
      )}
    </label>
  );
}

export function RegisterForm({ minStake }: { minStake: number }) {
  const [f, setF] = useState({ capacity_kwh: '500', price_per_kwh: '25', stake: String(minStake), meter_address: '', jurisdiction: 'US_CA' });
  const [touched, setTouched] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const reg = rpc['energy.register_provider'].useMutation();
  const errors = touched ? validateRegister(f, minStake) : {};
  const set = (k: keyof typeof f) => (v: string) => {
    setF({ ...f, [k]: v });
    setTouched(true);
  };
  const submit = async () => {
    setTouched(true);
    setDone(null);
    if (Object.keys(validateRegister(f, minStake)).length > 0) return;
    const r = await reg.mutateAsync({ capacity_kwh: Number(f.capacity_kwh), price_per_kwh: Number(f.price_per_kwh), stake: Number(f.stake), meter_address: f.meter_address, jurisdiction: f.jurisdiction }).catch(() => undefined);
    if (r) setDone(`registration submitted (tx ${r.tx_hash.slice(0, 12)}…): ${r.provider_id} in the next block`);
  };
  return (
    <div data-testid="energy-register">
      <div className="energy-form">
        <Field name="capacity_kwh" label="Capacity (kWh)" value={f.capacity_kwh} set={set('capacity_kwh')} errors={errors} />
        <Field name="price_per_kwh" label="Price per kWh" value={f.price_per_kwh} set={set('price_per_kwh')} errors={errors} />
        <Field name="stake" label={`Stake (≥ ${minStake})`} value={f.stake} set={set('stake')} errors={errors} />
        <Field name="meter_address" label="Meter" value={f.meter_address} set={set('meter_address')} errors={errors} placeholder="meter-01" />
        <Field name="jurisdiction" label="Jurisdiction" value={f.jurisdiction} set={set('jurisdiction')} errors={errors} placeholder="US_CA" />
      </div>
      <button className="btn btn--primary" disabled={reg.isPending} onClick={() => void submit()} data-testid="energy-register-submit">
        Register provider
      </button>
      <ErrorNote error={reg.error} testId="energy-register-error" />
      {done && (
        <p className="muted" data-testid="energy-register-done">
          {done}
        </p>
      )}
    </div>
  );
}

export function ReadingForm() {
  const [text, setText] = useState('');
  const [key, setKey] = useState('');
  const [local, setLocal] = useState<FieldErrors>({});
  const [done, setDone] = useState<string | null>(null);
  const [hash, setHash] = useState<string | null>(null);
  const submit = rpc['energy.submit_reading'].useMutation();
  const status = rpc['energy.reading_status'].useQuery({ meter_hash: hash ?? '' }, { enabled: hash !== null });
  const verify = rpc['energy.verify_reading'].useMutation();
  const run = async (what: 'submit' | 'verify') => {
    submit.reset();
    verify.reset();
    setDone(null);
    setHash(null);
    const p = parseReading(text);
    if (key && !/^[0-9a-fA-F]{64}$/.test(key)) return setLocal({ public_key: 'public_key: 64 hex digits (32-byte Ed25519 key)' });
    if (!p.ok) return setLocal(p.errors);
    setLocal({});
    if (what === 'verify') {
      const v = await verify.mutateAsync({ ...p.reading, public_key: key || undefined }).catch(() => undefined);
      if (v) setDone(`${v.valid ? 'VALID' : 'INVALID'}: ${v.reason} — ${v.message} (key: ${v.key_source}; meter_hash ${v.meter_hash.slice(0, 16)}…)`);
    } else {
      const r = await submit.mutateAsync(p.reading).catch(() => undefined);
      if (r) setHash(r.meter_hash);
      if (r) setDone(`accepted: credit ${r.credit.amount_kwh} kWh to ${r.credit.provider}, meter_hash ${r.credit.meter_hash.slice(0, 16)}…`);
    }
  };
  return (
    <div data-testid="energy-reading">
      <label className="field">
        <span>Signed reading (JSON: provider_id, meter_address, kwh_reading, timestamp, nonce, signature)</span>
        <textarea className="input energy-json" rows={6} value={text} aria-invalid={Object.keys(local).length ? 'true' : undefined} onChange={(e) => setText(e.target.value)} data-testid="energy-reading-json" />
      </label>
      <label className="field">
        <span>Public key for verify (optional; default: the registry key)</span>
        <input className="input" value={key} onChange={(e) => setKey(e.target.value.trim())} data-testid="energy-reading-key" />
      </label>
      {Object.entries(local).length > 0 && (
        <ul className="field__error" data-testid="energy-reading-errors">
          {Object.entries(local).map(([k, m]) => (
            <li key={k} data-testid={`energy-reading-error-${k}`}>
              {m}
            </li>
          ))}
        </ul>
      )}
      <div className="energy-actions">
        <button className="btn" disabled={verify.isPending} onClick={() => void run('verify')} data-testid="energy-reading-verify">
          Verify
        </button>
        <button className="btn btn--primary" disabled={submit.isPending} onClick={() => void run('submit')} data-testid="energy-reading-submit">
          Submit reading
        </button>
      </div>
      <ErrorNote error={submit.error ?? verify.error} testId="energy-reading-error" />
      {done && (
        <p className="muted" data-testid="energy-reading-done">
          {done}
        </p>
      )}
      {hash && status.data && (
        <p className="muted" data-testid="energy-reading-status">
          {stage(status.data)}
        </p>
      )}
    </div>
  );
}

/** "pending → included in block N" line of an accepted reading. */
function stage(s: { status: string; tx_hash: string | null; height: number | null; reason: string | null }): string {
  const tx = s.tx_hash ? ` (tx ${s.tx_hash.slice(0, 12)}…)` : '';
  if (s.status === 'included') return `included in block ${s.height}${tx}`;
  if (s.status === 'refused') return `refused before inclusion: ${s.reason} — sign a fresh reading`;
  if (s.status === 'pending') return `pending${tx} → next block`;
  return s.status === 'queued' ? 'queued → waiting for a readings transaction' : 'unknown to this node';
}
