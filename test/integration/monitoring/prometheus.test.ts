/**
 * A real Prometheus (Debian's /usr/bin/prometheus) against a real node: the config is
 * monitoring/prometheus.yml with the node's metrics port as target and 1 s intervals, the rules are
 * monitoring/alerts.yml with node_down's `for:` cut to 2 s. Prometheus scrapes the node, answers
 * `block_height` over its HTTP API; once the node is stopped, node_down fires.
 * Liveness waits are generous (shared, loaded machine); what is asserted is strict.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDashboards } from '../../../monitoring/src/catalog.js';
import { removeTemp, spawnNode, tempDir, type NodeProc } from '../node/helpers.js';

const MONITORING = path.resolve(import.meta.dirname, '../../../monitoring');

let dir: string;
let node: NodeProc;
let prom: ChildProcess | undefined;
let promExited: Promise<unknown> | undefined;
let promLog = '';
let base: string;
let target: string;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Polls `fn` until it returns a value (not undefined) or `ms` pass. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}\nprometheus log:\n${promLog.slice(-3000)}`);
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
async function query(q: string): Promise<Sample[]> {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as { status: string; data: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(JSON.stringify(body));
  return body.data.result;
}
interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}
async function alerts(): Promise<Alert[]> {
  const r = await fetch(`${base}/api/v1/alerts`);
  return ((await r.json()) as { data: { alerts: Alert[] } }).data.alerts;
}

beforeAll(async () => {
  dir = await tempDir('tb-prom');
  node = spawnNode({ dataDir: dir });
  const ready = await node.ready;
  expect(ready.metrics_port).toBeGreaterThan(0);
  target = `127.0.0.1:${ready.metrics_port}`;

  // The shipped config and rules, adapted only in target, intervals and node_down's `for:`.
  const work = path.join(path.dirname(dir), 'prometheus');
  await fs.mkdir(work);
  const cfg = yaml.load(await fs.readFile(path.join(MONITORING, 'prometheus.yml'), 'utf8')) as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  cfg.global = { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
  cfg.scrape_configs[0].static_configs = [{ targets: [target] }];
  await fs.writeFile(path.join(work, 'prometheus.yml'), yaml.dump(cfg));
  const rules = yaml.load(await fs.readFile(path.join(MONITORING, 'alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; for?: string }[] }[] };
  const down = rules.groups.flatMap((g) => g.rules).find((r) => r.alert === 'node_down')!;
  expect(down.for).toBe('1m');
  down.for = '2s';
  for (const f of cfg.rule_files) await fs.writeFile(path.join(work, f), yaml.dump(rules));

  // A free port can be taken between our probe and Prometheus' bind (other suites run too): retry.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    promLog = '';
    const p = spawn(
      'prometheus',
      [`--config.file=${path.join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(work, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prom = p;
    promExited = new Promise((r) => p.once('exit', r));
    p.stdout!.setEncoding('utf8').on('data', (d: string) => (promLog += d));
    p.stderr!.setEncoding('utf8').on('data', (d: string) => (promLog += d));
    const ok = await waitFor('prometheus ready', async () => {
      if (p.exitCode !== null) return false;
      return (await fetch(`${base}/-/ready`)).ok ? true : undefined;
    }, 90_000);
    if (ok) break;
    if (attempt === 3) throw new Error(`prometheus exited before ready three times:\n${promLog.slice(-3000)}`);
  }
}, 180_000);

afterAll(async () => {
  if (prom && prom.exitCode === null) {
    prom.kill('SIGTERM');
    const t = setTimeout(() => prom?.kill('SIGKILL'), 15_000);
    await promExited;
    clearTimeout(t);
  }
  if (node && node.child.exitCode === null && node.child.signalCode === null) {
    node.child.kill('SIGKILL');
    await node.exited;
  }
  if (dir) await removeTemp(dir);
}, 60_000);

describe('a real Prometheus with monitoring/prometheus.yml and monitoring/alerts.yml', () => {
  it('scrapes the node and answers block_height over its HTTP API', async () => {
    const samples = await waitFor('a block_height sample ≥ 1', async () => {
      const s = await query('block_height');
      return s.length && Number(s[0].value[1]) >= 1 ? s : undefined;
    }, 90_000);
    expect(samples).toHaveLength(1);
    expect(samples[0].metric).toMatchObject({ __name__: 'block_height', job: 'the-block', instance: target });
    expect(Number.isInteger(Number(samples[0].value[1]))).toBe(true);
    const up = await query('up{job="the-block"}');
    expect(up.map((s) => s.value[1])).toEqual(['1']);
    const info = await query('node_info');
    expect(info[0].metric).toMatchObject({ network: 'dev', instance: target });
    const disk = await query('data_dir_filesystem_avail_bytes / data_dir_filesystem_size_bytes');
    expect(Number(disk[0].value[1])).toBeGreaterThan(0);
    expect(Number(disk[0].value[1])).toBeLessThanOrEqual(1);
    // Every dashboard query runs on real data without an evaluation error (vector matching, types).
    const failed: string[] = [];
    let withData = 0;
    for (const d of allDashboards())
      for (const r of d.rows)
        for (const p of r.panels)
          for (const q of p.queries) {
            const expr = q.expr.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.+');
            try {
              if ((await query(expr)).length) withData++;
            } catch (e) {
              failed.push(`${d.uid} "${p.title}": ${String(e)}`);
            }
          }
    expect(failed).toEqual([]);
    expect(withData).toBeGreaterThan(20);
    // Every alert rule evaluates without error.
    const groups = await waitFor('rules evaluated', async () => {
      const r = (await (await fetch(`${base}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] } };
      const rules = r.data.groups.flatMap((g) => g.rules);
      return rules.every((x) => x.health !== 'unknown') ? rules : undefined;
    }, 60_000);
    expect(groups.filter((x) => x.health !== 'ok').map((x) => `${x.name}: ${x.lastError}`)).toEqual([]);
    // The node is up: node_down is neither pending nor firing.
    expect((await alerts()).filter((a) => a.labels.alertname === 'node_down')).toEqual([]);
  }, 120_000);

  it('fires node_down once the node is stopped', async () => {
    node.child.kill('SIGTERM');
    const exit = await node.exited;
    expect(exit.code).toBe(0);
    const firing = await waitFor('node_down firing', async () => {
      const a = (await alerts()).find((x) => x.labels.alertname === 'node_down' && x.state === 'firing');
      return a;
    }, 90_000);
    expect(firing.labels).toMatchObject({ alertname: 'node_down', severity: 'critical', job: 'the-block', instance: target });
  }, 120_000);
});
