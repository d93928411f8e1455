/**
 * The one set of rules a settings change is judged by, for both sides: the host refuses a save
 * with these issues (`app.setSettings`, settings-store.ts), and the Settings page runs the same
 * function as the operator leaves a field, so an error shows before Save and reads the same.
 * The rules themselves are the zod schemas of desktop.ts ({@link SettingsPatch} for the patch's
 * shape and the write-only token, {@link ConsoleSettings} for every value and the cross-field
 * rules on the merged result).
 */
import { ConsoleSettings, SettingsPatch } from './desktop.js';
import { zodIssues } from './define.js';
import type { ParamIssue } from './errors.js';

/** Deep-merges a patch into settings, one level of nested objects (governor, disk, notifications); the token is not a setting. */
export function mergeSettings(base: ConsoleSettings, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'rpc_auth_token') continue;
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object'
        ? { ...(cur as object), ...(v as object) }
        : v;
  }
  return out;
}

/**
 * The merged settings, or the field issues the patch is refused with (paths relative to the
 * patch, e.g. `['disk', 'refuse_free_mib']`). Cross-field rules (ports that collide, the refusal
 * tier below the warning tier) are checked once every field is valid on its own (zod's refine).
 */
export function checkSettings(
  base: ConsoleSettings,
  patch: Record<string, unknown>,
): { ok: true; settings: ConsoleSettings } | { ok: false; issues: ParamIssue[] } {
  const r = ConsoleSettings.safeParse(mergeSettings(base, patch));
  return r.success ? { ok: true, settings: r.data } : { ok: false, issues: zodIssues(r.error) };
}

/**
 * Every issue `app.setSettings` would refuse `patch` with on top of `base`: the patch's own shape
 * (unknown keys, the token) as the contract checks its params, and the merged settings. Empty
 * when the save would be accepted. Paths are relative to the patch. (A save stops at the first
 * group — the params are checked before the store sees them — while this lists both, so a bad
 * token does not hide a bad port.)
 */
export function settingsPatchIssues(base: ConsoleSettings, patch: Record<string, unknown>): ParamIssue[] {
  const own = SettingsPatch.safeParse(patch);
  const merged = checkSettings(base, patch);
  return [...(own.success ? [] : zodIssues(own.error)), ...(merged.ok ? [] : merged.issues)];
}

/** The settings that are ports, each with a live "port free?" check in Settings. */
export const PORT_KEYS = ['rpc_port', 'metrics_port', 'p2p_port'] as const;
export type PortKey = (typeof PORT_KEYS)[number];

/**
 * The port a "port free?" check may speak for: `key` as `patch` on top of `base` sets it, when
 * these rules accept it, else null. A value the rules refuse (80, 70000, the port of another
 * field) gets its field error and no check: never "✓ port 80 is free" beside a port Save refuses.
 */
export function portToCheck(base: ConsoleSettings, patch: Record<string, unknown>, key: PortKey): number | null {
  const v = key in patch ? patch[key] : base[key];
  if (typeof v !== 'number') return null;
  const refused = settingsPatchIssues(base, patch).some((i) => i.path.filter((x) => x !== 'patch')[0] === key);
  return refused ? null : v;
}
