/**
 * Bad transactions through `tx.submit` on a real node process (issue 2, "Bad input"): wrong
 * chain id, bad signature, replayed nonce (pending and after inclusion), overspend, malformed
 * bytes. Each is refused with its stable `data.reason`, nothing reaches a block, balances are
 * unchanged and the node keeps running. Also the CLI path: `tx transfer` of an overspend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devFaucetKeys } from '../../../src/node-core/chain/genesis.js';
import { signTransfer } from '../../../src/node-core/chain/tx.js';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { call, removeTemp, rpc, runCli, spawnNode, tempDir, type NodeProc } from './helpers.js';

let dir: string;
let node: NodeProc;
let port: number;
let chainId: number;
let fee: bigint;
const faucet = await devFaucetKeys('dev');
const alice = generateKeys();
const aliceAddr = addressOf(alice.publicKey);
const bob = 'tb1' + '0b'.repeat(20);

beforeAll(async () => {
  dir = await tempDir('tb-bad');
  node = spawnNode({ dataDir: dir, args: ['--block-time-ms', '600000'] });
  const ready = await node.ready;
  port = ready.rpc_port;
  chainId = ready.chain_id;
  fee = BigInt((await call(port, 'mempool.stats')).fee_floor);
  await call(port, 'wallet.transfer', { from: 'faucet', to: aliceAddr, amount: '25' });
  await call(port, 'dev.mine_one');
});
afterAll(async () => {
  node.child.kill('SIGKILL');
  await node.exited;
  await removeTemp(dir);
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
async function nonceOf(addr: string): Promise<bigint> {
  return BigInt((await call(port, 'account.get', [addr])).pending_nonce);
}
async function submit(bytes: Uint8Array) {
  return rpc(port, 'tx.submit', [hex(bytes)]);
}
function transfer(o: {
  from?: typeof faucet | (typeof alice & { address?: string });
  chainId?: number;
  to?: string;
  amount: bigint;
  nonce: bigint;
  fee?: bigint;
}) {
  const k = o.from ?? faucet;
  return signTransfer({
    chainId: o.chainId ?? chainId,
    publicKey: k.publicKey,
    secretKey: k.secretKey,
    to: o.to ?? bob,
    amount: o.amount,
    fee: o.fee ?? fee,
    nonce: o.nonce,
  });
}

describe('tx.submit refuses bad transactions on the real node', () => {
  it('wrong chain id', async () => {
    const r = await submit(
      transfer({ chainId: chainId + 1, amount: 1n, nonce: await nonceOf(faucet.address) }).bytes,
    );
    expect(r.error).toMatchObject({ code: -32000, data: { reason: 'wrong_chain_id' } });
  });

  it('bad signature (one flipped bit of the signature)', async () => {
    const bytes = Uint8Array.from(transfer({ amount: 1n, nonce: await nonceOf(faucet.address) }).bytes);
    bytes[bytes.length - 1] ^= 0x01; // the signature is the last field of the CBOR array
    const r = await submit(bytes);
    expect(r.error).toMatchObject({ code: -32000, data: { reason: 'bad_signature' } });
  });

  it('malformed bytes and bad hex', async () => {
    expect((await submit(Uint8Array.from([0x83, 0x01, 0x02]))).error).toMatchObject({
      data: { reason: 'malformed_tx' },
    });
    const badHex = await rpc(port, 'tx.submit', ['zz']);
    expect(badHex.error?.code).toBe(-32602);
    expect(badHex.error?.data.issues[0].path).toEqual(['tx']);
  });

  it('replayed nonce: the same tx again is refused while pending and after inclusion; it is applied once', async () => {
    const nonce = await nonceOf(faucet.address);
    const tx = transfer({ amount: 7n, nonce });
    expect((await submit(tx.bytes)).result).toEqual({ hash: tx.hash, status: 'pending' });
    expect((await submit(tx.bytes)).error).toMatchObject({ data: { reason: 'duplicate' } });
    const other = transfer({ amount: 8n, nonce }); // a different tx reusing the pending nonce
    expect((await submit(other.bytes)).error).toMatchObject({ data: { reason: 'duplicate' } });
    await call(port, 'dev.mine_one');
    expect((await call(port, 'tx.status', [tx.hash])).status).toBe('included');
    expect((await submit(tx.bytes)).error).toMatchObject({ data: { reason: 'nonce_too_low' } });
    expect((await submit(other.bytes)).error).toMatchObject({ data: { reason: 'nonce_too_low' } });
    await call(port, 'dev.mine_one');
    expect((await call(port, 'account.get', [bob])).balance).toBe('7');
  });

  it('nonce gap', async () => {
    const r = await submit(transfer({ amount: 1n, nonce: (await nonceOf(faucet.address)) + 5n }).bytes);
    expect(r.error).toMatchObject({ data: { reason: 'nonce_gap' } });
  });

  it('overspend: amount beyond the balance, and amount + fee beyond it', async () => {
    const n = await nonceOf(aliceAddr);
    const over = await submit(transfer({ from: alice, amount: 1000n, nonce: n }).bytes);
    expect(over.error).toMatchObject({ code: -32000, data: { reason: 'insufficient_balance' } });
    const withFee = await submit(
      transfer({ from: alice, amount: 25n, nonce: n, fee: fee > 0n ? fee : 1n }).bytes,
    );
    expect(withFee.error).toMatchObject({ data: { reason: 'insufficient_balance' } });
    await call(port, 'dev.mine_one');
    expect((await call(port, 'account.get', [aliceAddr])).balance).toBe('25');
  });

  it('an overspend through contract-cli tx transfer: one error line naming the reason, exit 1', async () => {
    const env = { TB_RPC_URL: `http://127.0.0.1:${port}`, TB_DATA_DIR: dir };
    const created = await runCli('contract-cli', ['wallet', 'new', '--name', 'carol', '--format', 'json'], {
      env,
    });
    const carol = (JSON.parse(created.stdout) as { address: string }).address;
    const r = await runCli(
      'contract-cli',
      ['tx', 'transfer', '--from', 'carol', '--to', bob, '--amount', '1'],
      { env },
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*\((insufficient_balance|unknown_sender)\)\n$/);
    expect((await call(port, 'account.get', [carol])).balance).toBe('0');
  });

  it('a TB_RPC_AUTH_TOKEN no HTTP header can carry: contract-cli and probe name the rule (exit 2), not "cannot reach node"', async () => {
    for (const bin of ['contract-cli', 'probe'] as const) {
      const r = await runCli(bin, bin === 'probe' ? ['tip'] : ['chain', 'tip'], { env: { TB_RPC_URL: `http://127.0.0.1:${port}`, TB_RPC_AUTH_TOKEN: 'abc✓defgh' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('error: TB_RPC_AUTH_TOKEN: must be printable ASCII without spaces (it travels in an HTTP header)\n');
    }
  });

  it('the node is still up and its mempool holds nothing refused', async () => {
    expect((await call(port, 'node.status')).phase).toBe('ready');
    expect((await call(port, 'mempool.stats')).size).toBe(0);
  });
});
