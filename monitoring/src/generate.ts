/**
 * `npm run monitor`: writes the generated dashboards (monitoring/*_dashboard.json), the alert
 * rules (monitoring/alerts.yml) and the example monitoring/prometheus.yml. Each file is written
 * atomically (temp file + rename). `--check` writes nothing and exits 1 when a file is stale.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAll } from './catalog.js';

export const MONITORING_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const files = renderAll();
  const stale: string[] = [];
  for (const [rel, text] of files) {
    const abs = path.join(MONITORING_DIR, rel);
    const old = await fs.readFile(abs, 'utf8').catch(() => undefined);
    if (old === text) continue;
    stale.push(rel);
    if (check) continue;
    await fs.mkdir(path.dirname(abs), { recursive: true });
    const tmp = `${abs}.tmp-${process.pid}`;
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, abs);
  }
  for (const [rel, text] of files) {
    let what = `${text.split('\n').length - 1} lines`;
    if (rel.endsWith('.json')) {
      const d = JSON.parse(text) as { uid: string; panels: { type: string }[] };
      const rows = d.panels.filter((p) => p.type === 'row').length;
      what = `uid ${d.uid}: ${d.panels.length - rows} panels in ${rows} rows`;
    }
    console.log(`${stale.includes(rel) ? (check ? 'stale    ' : 'written  ') : 'unchanged'} monitoring/${rel} (${what})`);
  }
  if (check && stale.length) {
    console.error(`${stale.length} generated file(s) out of date: run npm run monitor`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
