/**
 * The treasury's fee share on a real chain (classic-level chain DB, blocks produced by the chain
 * itself, the treasury as its only module): each block moves floor(block fees × 1000 / 10000)
 * from the proposer to the treasury; the sum of every balance stays the genesis supply
 * (conservation); `fees_accrued` in treasury state equals the treasury's balance; a from-genesis
 * replay reproduces the state root (the share is a pure function of the block).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { replayFromGenesis } from '../../../src/node-core/chain/replay.js';
import { signTransfer } from '../../../src/node-core/chain/tx.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { treasuryChainModule } from '../../../src/node-core/treasury/chain-module.js';
import { TREASURY_ADDRESS, treasuryState } from '../../../src/node-core/treasury/index.js';
import { openTestChain, type TestChain } from '../chain/helpers.js';

let t: TestChain | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('treasury fee share on a chain', () => {
  it('takes 10 % (floor) of each block\'s fees from the proposer; supply is conserved; replay reproduces the root', async () => {
    t = await openTestChain({ modules: [treasuryChainModule], mempool: { maxPerAccount: 100 } });
    const f = await t.keystore.get('faucet');
    const proposer = t.nodeKey.address;
    const to = Array.from({ length: 4 }, () => addressOf(generateKeys().publicKey));
    const all = [f.address, proposer, TREASURY_ADDRESS, ...to];
    const sum = () => all.reduce((a, x) => a + t!.chain.accountState(x).balance, 0n);
    const supply = sum();
    let nonce = t.chain.accountState(f.address).pendingNonce;
    // fees per block: 7 (share 0), 3 × 13 = 39 (share 3), 4 × 250 = 1000 (share 100)
    const blocks: bigint[][] = [[7n], [13n, 13n, 13n], [250n, 250n, 250n, 250n]];
    let expected = 0n;
    for (const fees of blocks) {
      const tBefore = t.chain.accountState(TREASURY_ADDRESS).balance;
      const pBefore = t.chain.accountState(proposer).balance;
      for (const [i, fee] of fees.entries()) {
        t.chain.submit(signTransfer({ chainId: t.genesis.chain_id, publicKey: f.publicKey, secretKey: f.secretKey, to: to[i]!, amount: 5n, fee, nonce: nonce++ }).bytes);
      }
      const h = await t.chain.produceBlock();
      expect(h.tx_count).toBe(fees.length);
      const total = fees.reduce((a, x) => a + x, 0n);
      const share = (total * 1000n) / 10_000n;
      expected += share;
      expect(t.chain.accountState(TREASURY_ADDRESS).balance - tBefore).toBe(share);
      expect(t.chain.accountState(proposer).balance - pBefore).toBe(total - share);
      expect(sum()).toBe(supply);
    }
    expect(t.chain.accountState(TREASURY_ADDRESS).balance).toBe(103n);
    expect(expected).toBe(103n);
    expect(t.chain.moduleState(treasuryState).fees_accrued).toBe('103');
    const tip = t.chain.tip();
    await t.chain.close();
    const r = await replayFromGenesis(t.dir, { modules: [treasuryChainModule] });
    expect(r).toEqual({ height: tip.height, stateRoot: tip.state_root, ok: true });
    await t.reopen();
  }, 60_000);
});
