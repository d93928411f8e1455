/**
 * "Port free?" for Settings: tries to listen on 127.0.0.1:<port> and closes at once. A port our
 * own node listens on is reported as such (it is "in use", but by us).
 */
import { createServer } from 'node:net';

/** Resolves true when a listener could bind the port now. */
export function canListen(port: number, host = '127.0.0.1'): Promise<{ free: boolean; code?: string }> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', (e: NodeJS.ErrnoException) => resolve({ free: false, code: e.code }));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve({ free: true })));
  });
}

export async function portFree(
  port: number,
  nodePorts: (number | null | undefined)[],
): Promise<{ port: number; free: boolean; used_by_node: boolean; detail: string }> {
  const usedByNode = nodePorts.includes(port);
  if (usedByNode)
    return { port, free: false, used_by_node: true, detail: `port ${port} is in use by this node` };
  const r = await canListen(port);
  if (r.free) return { port, free: true, used_by_node: false, detail: `port ${port} is free` };
  const why =
    r.code === 'EADDRINUSE'
      ? 'is in use by another program'
      : r.code === 'EACCES'
        ? 'needs privileges'
        : `cannot be used (${r.code ?? 'error'})`;
  return { port, free: false, used_by_node: false, detail: `port ${port} ${why}` };
}
