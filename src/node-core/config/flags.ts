/**
 * Command-line flags of `node start` (and of `src/node-core/main.ts`), generated from the key
 * table so a flag is never declared twice. `--config` and `--env-file` choose the files;
 * `--telemetry` / `--no-telemetry` switch `/metrics`.
 */
import { Command, Option } from 'commander';
import type { KeyTable } from './keys.js';
import type { LoadOptions } from './load.js';

/** Adds the node flags to a commander command (values stay strings; the loader validates them). */
export function addConfigFlags(cmd: Command, table: KeyTable): Command {
  cmd.addOption(
    new Option(
      '--config <file>',
      'TOML config file (default: $TB_CONFIG, else ./config/node.toml when present)',
    ),
  );
  cmd.addOption(
    new Option('--env-file <file>', 'dotenv file with TB_* settings (default: ./.env when present)'),
  );
  for (const k of table.keys) {
    if (!k.flag) continue;
    if (k.key === 'telemetry') {
      cmd.addOption(new Option('--telemetry', `${k.doc} (env ${k.env}; default on)`));
      cmd.addOption(new Option('--no-telemetry', 'do not serve /metrics'));
      continue;
    }
    cmd.addOption(new Option(`${k.flag} <value>`, `${k.doc} (env ${k.env})`));
  }
  return cmd;
}

/** Maps commander's parsed options (camelCase) onto loader options. */
export function flagsToLoadOptionsFor(table: KeyTable, opts: Record<string, unknown>): LoadOptions {
  const flags: Partial<Record<string, unknown>> = {};
  for (const k of table.keys) {
    if (!k.flag) continue;
    const camel = k.flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (opts[camel] !== undefined) flags[k.key] = opts[camel];
  }
  return {
    flags,
    configFile: opts.config as string | undefined,
    envFile: opts.envFile as string | undefined,
  };
}
