/**
 * Secret redaction for the diagnostics bundle. Three nets, all applied to every text:
 * 1. literal secret values known to the console (TB_RPC_AUTH_TOKEN, TB_NODE_KEY_HEX and every
 *    other `secret` config key from the environment, the settings' token, the node key file's
 *    seed) are replaced wherever they appear;
 * 2. `KEY=value` / `KEY = "value"` / `"key": "value"` assignments whose key names a secret
 *    (token, secret, password, passphrase, seed, private, key_hex, api_key, auth) get their value replaced;
 * 3. `Authorization: Bearer …` / `Bearer …` credentials.
 */
import { KEYS } from '../../node-core/node-config.js';

export const REDACTED = '[redacted]';

const SECRET_NAME =
  /(token|secret|passw(or)?d|passphrase|seed|private|key_hex|api[_-]?key|auth|mnemonic|credential)/i;

/** Env var names of secret config keys (TB_RPC_AUTH_TOKEN, TB_NODE_KEY_HEX, …). */
export const SECRET_ENV = new Set(KEYS.filter((k) => k.secret).map((k) => k.env));
/** TOML keys of secret config keys. */
export const SECRET_TOML = new Set(KEYS.filter((k) => k.secret).map((k) => k.key as string));

export function isSecretName(name: string): boolean {
  return SECRET_ENV.has(name) || SECRET_TOML.has(name) || SECRET_NAME.test(name);
}

export class Redactor {
  private readonly literals: string[];

  /** @param secrets literal values to hide (values shorter than 6 characters are ignored: too likely to be ordinary text). */
  constructor(secrets: (string | undefined | null)[]) {
    this.literals = [
      ...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6)),
    ].sort((a, b) => b.length - a.length);
  }

  text(s: string): string {
    let out = s;
    for (const lit of this.literals) out = out.split(lit).join(REDACTED);
    // "name": "value"  (JSON)
    out = out.replace(/("([A-Za-z0-9_.-]+)"\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (m, pre: string, name: string) =>
      isSecretName(name) ? `${pre}"${REDACTED}"` : m,
    );
    // name = value / NAME=value (TOML, dotenv, env dumps)
    out = out.replace(
      /^(\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*)(.+)$/gm,
      (m, pre: string, name: string) => (isSecretName(name) ? `${pre}${REDACTED}` : m),
    );
    out = out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`);
    return out;
  }

  /** Environment variables: secret names get their value hidden, the rest pass through {@link text}. */
  env(env: NodeJS.ProcessEnv, prefix = /^(TB_|NODE_|ELECTRON_)/): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
      if (!prefix.test(k) || v === undefined) continue;
      out[k] = isSecretName(k) ? REDACTED : this.text(v);
    }
    return out;
  }
}
