/**
 * The Settings form model: the saved view (`app.settings`, kept current by `app.settings`
 * events), a draft of edited fields, and field-level issues (shown next to each field; the typed
 * value stays so it can be fixed in place). Issues come from the same rules at two moments: as
 * the operator leaves a field ({@link SettingsForm.check}: `settingsPatchIssues` on the saved
 * settings plus the draft, in the page) and from a refused save (the host runs that function
 * too, and it has the last word: another window may have saved in between). Saving sends only
 * the edited fields as one patch; the host validates the whole and refuses it whole.
 */
import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ConsoleSettings, SettingsView } from '../../../shared/api/desktop';
import type { ParamIssue } from '../../../shared/api/errors';
import { settingsPatchIssues } from '../../../shared/api/settings-rules';
import { bridge, call } from '../api/client';
import { rpc, rpcKey } from '../api/hooks';
import { toRpcError } from '../transport/errors';
import { useLive } from '../store/live';

/** Draft values by dotted path (`rpc_port`, `disk.warn_free_mib`, `rpc_auth_token`). */
export type Draft = Record<string, unknown>;

export interface SettingsForm {
  view: SettingsView | undefined;
  error: unknown;
  /** The value shown for a path: the draft's, else the saved one. */
  value(path: string): unknown;
  /** Sets a draft value; `undefined` drops the path from the draft (the saved value shows again, nothing to save). */
  set(path: string, v: unknown): void;
  dirty: boolean;
  /** The edited fields as the patch a save sends. */
  patch(): Record<string, unknown>;
  /** Field issue messages by dotted path (without the leading `patch`). */
  issues: Record<string, string>;
  /** Checks the draft as a save would (same rules, no call) and shows its issues in place; called when a field loses focus. */
  check(): void;
  /** The last save was refused (its issues are shown); cleared by a save or a discard. */
  refused: boolean;
  saving: boolean;
  saved: boolean;
  save(): Promise<void>;
  reset(): void;
}

function get(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      obj,
    );
}

/** Issue messages by dotted path (paths relative to the patch, a leading `patch` dropped); the first per field. */
export function issuesByPath(list: ParamIssue[]): Record<string, string> {
  const byPath: Record<string, string> = {};
  for (const i of list) byPath[i.path.filter((x) => x !== 'patch').join('.')] ??= i.message;
  return byPath;
}

/** Builds the nested patch from the dotted draft. */
export function patchOf(draft: Draft): Record<string, unknown> {
  const out: Record<string, Record<string, unknown> | unknown> = {};
  for (const [p, v] of Object.entries(draft)) {
    const [a, b] = p.split('.');
    if (b === undefined) out[a] = v;
    else out[a] = { ...((out[a] as Record<string, unknown>) ?? {}), [b]: v };
  }
  return out;
}

export function useSettingsForm(): SettingsForm {
  const on = useLive((s) => s.connection) === 'open';
  const q = rpc['app.settings'].useQuery(undefined, { enabled: on });
  const qc = useQueryClient();
  const [draft, setDraft] = useState<Draft>({});
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [refused, setRefused] = useState(false);
  useEffect(
    () => bridge.tb.subscribe('app.settings', (v) => qc.setQueryData(rpcKey('app.settings'), v)),
    [qc],
  );
  return {
    view: q.data,
    error: error ?? q.error,
    value: (p) => (p in draft ? draft[p] : get(q.data?.settings as ConsoleSettings | undefined, p)),
    set: (p, v) => {
      setSaved(false);
      setRefused(false);
      setDraft(({ [p]: _was, ...rest }) => (v === undefined ? rest : { ...rest, [p]: v }));
      setIssues(({ [p]: _gone, ...rest }) => rest);
    },
    dirty: Object.keys(draft).length > 0,
    patch: () => patchOf(draft),
    issues,
    check: () => {
      if (q.data) setIssues(issuesByPath(settingsPatchIssues(q.data.settings, patchOf(draft))));
    },
    refused,
    saving,
    saved,
    async save() {
      setSaving(true);
      setError(undefined);
      try {
        const v = await call('app.setSettings', { patch: patchOf(draft) });
        qc.setQueryData(rpcKey('app.settings'), v);
        setDraft({});
        setIssues({});
        setRefused(false);
        setSaved(true);
      } catch (e) {
        const err = toRpcError(e);
        const list = Array.isArray(err.data?.issues) ? (err.data.issues as ParamIssue[]) : [];
        setIssues(issuesByPath(list));
        setRefused(list.length > 0);
        if (!list.length) setError(e);
      } finally {
        setSaving(false);
      }
    },
    reset: () => {
      setDraft({});
      setIssues({});
      setRefused(false);
    },
  };
}

/** A number input's text → the value sent: '' → null (as launched), digits → number, anything else as typed (the host refuses it with a message). */
export function numberOrNull(text: string): number | string | null {
  const t = text.trim();
  if (t === '') return null;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}
