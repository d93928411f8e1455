/** Settings inputs bound to the form model, each with its issue shown in place. */
import { useEffect, useState, type ReactNode } from 'react';
import { portToCheck, type PortKey } from '../../../shared/api/settings-rules';
import { call } from '../api/client';
import { numberOrNull, type SettingsForm } from './form';

export function FieldError({ f, path }: { f: SettingsForm; path: string }) {
  const msg = f.issues[path];
  if (!msg) return null;
  return (
    <div className="field__error" role="alert" data-testid={`error-${path}`}>
      {msg}
    </div>
  );
}

const tid = (path: string) => `set-${path.replace(/\./g, '-')}`;

/** A number (or empty = as launched) field; what is typed stays until saved or fixed, and is checked when the field is left. */
export function NumberField({
  f,
  path,
  label,
  hint,
  placeholder,
}: {
  f: SettingsForm;
  path: string;
  label: string;
  hint?: ReactNode;
  placeholder?: string;
}) {
  const v = f.value(path);
  return (
    <label className="field">
      <span>{label}</span>
      <input
        className="input mono"
        inputMode="numeric"
        value={v === null || v === undefined ? '' : String(v)}
        placeholder={placeholder}
        onChange={(e) => f.set(path, numberOrNull(e.target.value))}
        onBlur={f.check}
        aria-invalid={!!f.issues[path]}
        data-testid={tid(path)}
      />
      {hint && <small className="muted">{hint}</small>}
      <FieldError f={f} path={path} />
    </label>
  );
}

/** Tri-state select for nullable booleans (as launched / on / off). */
export function TriField({
  f,
  path,
  label,
  on = 'On',
  off = 'Off',
}: {
  f: SettingsForm;
  path: string;
  label: string;
  on?: string;
  off?: string;
}) {
  const v = f.value(path) as boolean | null | undefined;
  return (
    <label className="field">
      <span>{label}</span>
      <select
        className="input"
        value={v === true ? 'on' : v === false ? 'off' : 'launch'}
        onChange={(e) => f.set(path, e.target.value === 'launch' ? null : e.target.value === 'on')}
        data-testid={tid(path)}
      >
        <option value="launch">As launched</option>
        <option value="on">{on}</option>
        <option value="off">{off}</option>
      </select>
      <FieldError f={f} path={path} />
    </label>
  );
}

export function SelectField({
  f,
  path,
  label,
  options,
  nullable,
}: {
  f: SettingsForm;
  path: string;
  label: string;
  options: [string, string][];
  nullable?: boolean;
}) {
  const v = f.value(path) as string | null | undefined;
  return (
    <label className="field">
      <span>{label}</span>
      <select
        className="input"
        value={v ?? ''}
        onChange={(e) => f.set(path, e.target.value === '' && nullable ? null : e.target.value)}
        data-testid={tid(path)}
      >
        {nullable && <option value="">As launched</option>}
        {options.map(([val, text]) => (
          <option key={val} value={val}>
            {text}
          </option>
        ))}
      </select>
      <FieldError f={f} path={path} />
    </label>
  );
}

export function CheckField({ f, path, label }: { f: SettingsForm; path: string; label: string }) {
  return (
    <label className="bk-agree">
      <input
        type="checkbox"
        checked={!!f.value(path)}
        onChange={(e) => f.set(path, e.target.checked)}
        data-testid={tid(path)}
      />
      <span>{label}</span>
      <FieldError f={f} path={path} />
    </label>
  );
}

/**
 * A port with a live "port free?" check (`app.portFree`) once typing pauses — only for a value
 * the field's rules accept (the field error wins: no "✓ free" for a port Save refuses). The
 * check stays shown after a save, so a port saved anyway keeps its "in use" warning.
 */
export function PortField({
  f,
  path,
  label,
  current,
}: {
  f: SettingsForm;
  path: PortKey;
  label: string;
  current: number | null;
}) {
  const port = f.view ? portToCheck(f.view.settings, f.patch(), path) : null;
  const [state, setState] = useState<{
    port: number;
    free: boolean;
    used_by_node: boolean;
    detail: string;
  }>();
  useEffect(() => {
    setState(undefined);
    if (port === null) return;
    let live = true;
    const t = setTimeout(() => {
      call('app.portFree', { port }).then(
        (r) => live && setState(r),
        () => {},
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [port]);
  return (
    <div className="field">
      <NumberField
        f={f}
        path={path}
        label={label}
        placeholder={current ? `${current} (as launched)` : 'as launched'}
      />
      {state && state.port === port && !f.issues[path] && (
        <div
          className={`port-state ${state.free ? 'tone--ok' : state.used_by_node ? 'muted' : 'tone--bad'}`}
          data-testid={`${tid(path)}-state`}
          data-free={state.free}
        >
          {state.free ? '✓ ' : state.used_by_node ? '' : '✗ '}
          {state.detail}
        </div>
      )}
    </div>
  );
}
