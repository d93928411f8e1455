/**
 * Helpers for snapshot/restore integration tests: JSON-RPC and subscriptions over a node child's
 * IPC channel (events are awaited, never polled), a content hash of a data directory, and a
 * stopped data directory with some history.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { spawnNode, stopNode, type NodeProc } from '../node/helpers.js';

let nextId = 1000;

/** One JSON-RPC call over the node's IPC channel. @throws on a JSON-RPC error. */
export async function ipc(n: NodeProc, method: string, params: unknown = []): Promise<any> {
  const id = nextId++;
  n.child.send({ jsonrpc: '2.0', id, method, params });
  const r = (await n.nextMessage((m) => (m as { id?: number })?.id === id)) as { result?: unknown; error?: { message: string; data?: unknown } };
  if (r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), { data: r.error.data });
  return r.result;
}

/** Subscribes to a topic over IPC; `next(pred)` resolves with the first matching payload after the call. */
export async function subscribe(n: NodeProc, topic: string): Promise<{ next(pred?: (p: any) => boolean): Promise<any> }> {
  const sub = (await ipc(n, 'chain.subscribe', [topic])) as string;
  return {
    next: async (pred = () => true) =>
      ((await n.nextMessage((m) => (m as any)?.params?.subscription === sub && pred((m as any).params.result))) as any).params.result,
  };
}

/** Waits for a snapshot job to end (via `snapshots.progress`) and returns the final job. */
export async function jobEnd(n: NodeProc, jobId: string): Promise<any> {
  const progress = await subscribe(n, 'snapshots.progress');
  const now = await ipc(n, 'snapshots.job', [jobId]);
  if (now.state !== 'running') return now;
  return progress.next((j) => j.job_id === jobId && j.state !== 'running');
}

/** path → SHA-256 of every regular file under `dir`, except the top-level entries in `exclude`. */
export async function treeHash(dir: string, exclude: string[] = ['restore_history', 'node.lock']): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (!rel && exclude.includes(e.name)) continue;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile()) out[r] = createHash('sha256').update(await fs.readFile(path.join(dir, r))).digest('hex');
    }
  };
  await walk('');
  return out;
}

/** Starts a node on `dataDir` with blocks on demand, mines `blocks` blocks, stops it. Returns the head height. */
export async function makeDataDir(dataDir: string, blocks: number): Promise<number> {
  const n = spawnNode({ dataDir, args: ['--block-time-ms', '600000'] });
  await n.ready;
  let h = 0;
  for (let i = 0; i < blocks; i++) h = (await ipc(n, 'dev.mine_one')).height;
  await stopNode(n);
  return h;
}

/** The height in the node's "chain head" log line (what the node opened at start), waited for up to `timeoutMs`; undefined when it never comes. */
export async function openedHeight(n: NodeProc, timeoutMs = 30_000): Promise<number | undefined> {
  // The log line comes over the stdout pipe, the ready message over IPC: on a loaded machine the
  // ready message can arrive first (CI: undefined right after ready), so wait for the line.
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const line of n.stdout().split('\n')) {
      if (!line.includes('"chain head"')) continue;
      return (JSON.parse(line) as { height: number }).height;
    }
    if (Date.now() > until) return undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
}
