/**
 * Listening on an operator-chosen address, with errors that say what to change
 * (DESIGN.md "Hard edges → Processes and ports").
 */
import type { Server } from 'node:net';

/** The port is taken. Message: "port 8545 is already in use (127.0.0.1:8545); change it with --rpc-addr / TB_RPC_ADDR". */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly addr: string,
    flagHint: string,
  ) {
    super(`port ${port} is already in use (${addr}); change it with ${flagHint}`);
    this.name = 'PortInUseError';
  }
}

/** A listen address that cannot be used (bad syntax, not a local interface, no permission). */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

/**
 * Splits "host:port" ("127.0.0.1:8545", "[::1]:8545", "localhost:0").
 * @throws ListenError naming the address and the flag when it is malformed.
 */
export function parseAddr(addr: string, flagHint: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(addr.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new ListenError(
      `invalid listen address "${addr}": expected host:port like 127.0.0.1:8545 (set with ${flagHint})`,
    );
  return { host: m[1] ?? m[2], port };
}

/**
 * Starts listening and resolves with the bound port.
 * @throws PortInUseError when the port is taken; ListenError for other bind failures.
 */
export function listen(server: Server, addr: string, flagHint: string): Promise<number> {
  const { host, port } = parseAddr(addr, flagHint);
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE') reject(new PortInUseError(port, addr, flagHint));
      else if (e.code === 'EACCES')
        reject(
          new ListenError(
            `no permission to listen on ${addr} (ports below 1024 need privileges); change it with ${flagHint}`,
          ),
        );
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        reject(
          new ListenError(
            `cannot listen on ${addr}: ${host} is not an address of this machine; change it with ${flagHint}`,
          ),
        );
      else
        reject(
          new ListenError(`cannot listen on ${addr} (${e.code ?? e.message}); change it with ${flagHint}`),
        );
    };
    const onListening = () => {
      server.off('error', onError);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
