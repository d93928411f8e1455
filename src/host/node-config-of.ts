/**
 * The node's effective configuration for a list of `node start` flags (what the supervisor will
 * run), through the node's own loader: defaults < config file < .env < TB_* < flags. The host
 * uses it to check the ports before a start (preflight).
 */
import { Command } from 'commander';
import { addNodeFlags, flagsToLoadOptions, loadConfig, type NodeConfig } from '../node-core/node-config.js';
import type { PortSpec } from './preflight.js';

/** @throws ConfigError for invalid flags or files (the same message the node would give). */
export function nodeConfigOf(args: string[], env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const cmd = addNodeFlags(new Command('node').exitOverride().allowExcessArguments(false));
  cmd.parse(args, { from: 'user' });
  return loadConfig({ ...flagsToLoadOptions(cmd.opts()), env }).config;
}

/** `host:port` → parts (IPv6 in brackets). */
function split(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(addr.slice(i + 1)) };
}

/** The ports a node with this configuration listens on. */
export function portsOf(c: NodeConfig): PortSpec[] {
  const out: PortSpec[] = [{ what: 'JSON-RPC', kind: 'tcp', ...split(c.rpc_addr), flag: '--rpc-addr' }];
  if (c.telemetry) out.push({ what: 'metrics', kind: 'tcp', ...split(c.metrics_addr), flag: '--metrics-addr' });
  if (c.p2p) {
    out.push({ what: 'p2p QUIC', kind: 'udp', ...split(c.p2p_quic_addr), flag: '--p2p-quic-addr' });
    out.push({ what: 'p2p TCP', kind: 'tcp', ...split(c.p2p_tcp_addr), flag: '--p2p-tcp-addr' });
  }
  return out;
}
