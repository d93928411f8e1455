/**
 * Network operator commands (operations guide "Range Boost and LocalNet Operations", "Probe CLI and
 * Diagnostics", "DHT / Gossip Recovery"):
 *   contract-cli mesh status            this node's peer id, listen addresses, static/bootstrap peers, connected peers
 *   contract-cli mesh reseed            purge the peer store and redial bootstrap + static peers (recovery runbook)
 *   contract-cli mesh connect <addr>    dial a peer;  mesh disconnect <peer_id>;  mesh ban <peer_id> [--secs n]
 *   contract-cli diagnostics gossip     topics, mesh peers, message counters, sync status
 */
import { Command, Option } from 'commander';
import { clientFor, intFlag, output, table, withCommon, type CommonOpts } from '../common.js';

function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : `${v} ms`;
}

export function meshCommand(): Command {
  const mesh = new Command('mesh').description('peers of the node: status, reseed, connect, disconnect, ban');

  withCommon(mesh.command('status').description('peer id, listen addresses, configured peers and connected peers')).action(async (opts: CommonOpts) => {
    const { client } = clientFor(opts);
    const [info, peers, sync] = await Promise.all([client.call('net.info'), client.call('net.peers'), client.call('net.sync_status')]);
    output(opts.format, { ...info, sync, peers }, (r) => [
      ...table([
        ['p2p', r.enabled ? 'on' : 'off (TB_P2P_ENABLED=0)'],
        ['network', `${r.network} (chain id ${r.chain_id})`],
        ['peer id', r.peer_id ?? '-'],
        ['listen', r.listen.join(' ') || '-'],
        ['bootstrap', r.bootstrap.length],
        ['static peers', r.static_peers.join(', ') || '-'],
        ['peer store', `${r.peer_store} (${r.known_peers} known)`],
        ['banned', r.banned.length],
        ['sync', `${r.sync.phase}, height ${r.sync.local_height}/${r.sync.target_height}, finalized ${r.sync.finalized_height}`],
        ['peers', r.peers.length],
      ]),
      ...r.peers.map((p) => `  ${p.peer_id}  ${p.transport.padEnd(4)} ${p.direction.padEnd(8)} ${ms(p.latency_ms).padStart(7)}  score ${p.score.toFixed(2).padStart(7)}  head ${p.head_height ?? '-'}${p.validator ? '  validator' : ''}`),
    ]);
  });

  withCommon(mesh.command('reseed').description('DHT/gossip recovery: purge overlay_peers.json and redial the bootstrap and static peers')).action(async (opts: CommonOpts) => {
    const { client } = clientFor(opts);
    const r = await client.call('net.reseed');
    output(opts.format, r, (x) => `purged ${x.purged} remembered peers; dialing ${x.dialed} bootstrap/static peers`);
  });

  withCommon(mesh.command('connect').description('dial a peer by multiaddr').argument('<addr>', 'multiaddr, e.g. /ip4/127.0.0.1/tcp/30333/p2p/12D3KooW…')).action(async (addr: string, opts: CommonOpts) => {
    const { client } = clientFor(opts);
    const r = await client.call('net.connect', [addr]);
    output(opts.format, r, (x) => `connected to ${x.peer_id} over ${x.transport}`);
  });

  withCommon(mesh.command('disconnect').description('close the connections to a peer').argument('<peer_id>')).action(async (id: string, opts: CommonOpts) => {
    const { client } = clientFor(opts);
    const r = await client.call('net.disconnect', [id]);
    output(opts.format, r, (x) => (x.disconnected ? `disconnected ${id}` : `${id} was not connected`));
  });

  withCommon(
    mesh
      .command('ban')
      .description('ban a peer (0 secs lifts the ban)')
      .argument('<peer_id>')
      .addOption(new Option('--secs <n>', 'ban duration in seconds (default TB_P2P_BAN_SECS)')),
  ).action(async (id: string, opts: CommonOpts & { secs?: string }) => {
    const { client } = clientFor(opts);
    const r = await client.call('net.ban', opts.secs !== undefined ? [id, intFlag('--secs', opts.secs)] : [id]);
    output(opts.format, r, (x) => (x.banned ? `banned ${id} until ${new Date(x.until_ms!).toISOString()}` : `lifted the ban of ${id}`));
  });
  return mesh;
}

export function diagnosticsCommand(): Command {
  const d = new Command('diagnostics').description('cached network statistics for on-call triage');
  withCommon(d.command('gossip').description('gossip topics, mesh peers, received (accept/reject/ignore) and published counters, sync status')).action(async (opts: CommonOpts) => {
    const { client } = clientFor(opts);
    const [g, sync, fin] = await Promise.all([client.call('net.gossip_status'), client.call('net.sync_status'), client.call('consensus.finality')]);
    output(opts.format, { ...g, sync, finality: { finalized_height: fin.finalized_height, effective_total_stake: fin.effective_total_stake, equivocated_stake: fin.equivocated_stake, finality_threshold: fin.finality_threshold, equivocated_validators: fin.equivocated_validators } }, (r) => [
      `gossip ${r.enabled ? 'on' : 'off'}; sync ${r.sync.phase} (${r.sync.local_height}/${r.sync.target_height}, ${r.sync.blocks_per_s} blocks/s, ${r.sync.peers} peers)`,
      `finality: finalized ${r.finality.finalized_height}, effective stake ${r.finality.effective_total_stake}, threshold ${r.finality.finality_threshold}, equivocated ${r.finality.equivocated_stake}${r.finality.equivocated_validators.length ? ` (${r.finality.equivocated_validators.join(', ')})` : ''}`,
      'topic                                   mesh  subs  accept  reject  ignore  published',
      ...r.topics.map((t) => `${t.topic.padEnd(38)}  ${String(t.mesh_peers).padStart(4)}  ${String(t.subscribers).padStart(4)}  ${String(t.received.accept).padStart(6)}  ${String(t.received.reject).padStart(6)}  ${String(t.received.ignore).padStart(6)}  ${String(t.published).padStart(9)}`),
      ...(r.chaos && (r.chaos.loss_percent > 0 || r.chaos.jitter_ms > 0 || r.chaos.partition.length > 0) ? [`chaos hook ACTIVE: loss ${r.chaos.loss_percent} %, jitter ${r.chaos.jitter_ms} ms, partition ${r.chaos.partition.length} peers`] : []),
    ]);
  });
  return d;
}
