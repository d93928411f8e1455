// Governor intents on chain (issue 4 "Applying an intent is a chain transaction from a validator"):
// the quorum rule at its threshold, the patch taking effect at the first block of epoch_apply (not
// before), admission checks, and replay/reopen giving the same governance state and state root.
import { afterEach, describe, expect, it } from 'vitest';
import { EPOCH_BLOCKS } from '../../../src/node-core/chain/block.js';
import { Chain } from '../../../src/node-core/chain/chain.js';
import {
  EMPTY_GOV,
  checkPatch,
  govEpochStep,
  govVote,
  intentKey,
  type GovIntent,
} from '../../../src/node-core/governor/gov-intent.js';
import { governorChainModule, governorState, intentKind } from '../../../src/node-core/governor/chain-module.js';
import { replayFromGenesis } from '../../../src/node-core/chain/replay.js';
import { decodeTx, signCall } from '../../../src/node-core/chain/tx.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { RpcError } from '../../../src/shared/api/errors.js';
import { openTestChain, tempRoot, type TestChain } from '../chain/helpers.js';

const intent = (epochApply: number, on = true): GovIntent => ({
  gate: 'operational',
  action: on ? 'enter' : 'exit',
  epochApply,
  patch: `{"operational":${on}}`,
});

describe('quorum at the epoch boundary (pure)', () => {
  const A = 'a'.repeat(40);
  const B = 'b'.repeat(40);
  const C = 'c'.repeat(40);
  // [stakes, voters, applied?] — 2/3 of stake exactly is enough, just below is not.
  const cases: [string, [string, bigint][], string[], boolean][] = [
    ['1 of 3 equal (1/3 < 2/3)', [[A, 1n], [B, 1n], [C, 1n]], [A], false],
    ['2 of 3 equal (= 2/3)', [[A, 1n], [B, 1n], [C, 1n]], [A, B], true],
    ['3 of 3', [[A, 1n], [B, 1n], [C, 1n]], [A, B, C], true],
    ['stake 199 of 300 (just below)', [[A, 199n], [B, 101n]], [A], false],
    ['stake 200 of 300 (at)', [[A, 200n], [B, 100n]], [A], true],
    ['stake 201 of 300 (above)', [[A, 201n], [B, 99n]], [A], true],
    ['single validator', [[A, 1n]], [A], true],
  ];
  it.each(cases)('%s', (_name, stakes, voters, applied) => {
    const stake = new Map(stakes);
    let s = EMPTY_GOV;
    for (const v of voters) s = govVote(s, 5, { sender: v, intent: intent(1) }, stake);
    expect(s.pending).toHaveLength(1);
    // Not yet: last block of epoch 0.
    expect(govEpochStep(s, EPOCH_BLOCKS - 1, stake)).toBe(s);
    const after = govEpochStep(s, EPOCH_BLOCKS, stake);
    expect(after.pending).toHaveLength(0);
    expect(after.history).toEqual([{ key: intentKey(intent(1)), gate: 'operational', action: 'enter', epoch: 1, outcome: applied ? 'applied' : 'expired' }]);
    expect(after.params).toEqual(applied ? [['operational', 'true']] : []);
  });

  it('refuses non-validators, late intents and duplicate votes', () => {
    const stake = new Map([[A, 1n]]);
    expect(() => govVote(EMPTY_GOV, 5, { sender: B, intent: intent(1) }, stake)).toThrow(/not a validator/);
    expect(() => govVote(EMPTY_GOV, EPOCH_BLOCKS, { sender: A, intent: intent(1) }, stake)).toThrow(/epoch_apply must be a later epoch/);
    const s = govVote(EMPTY_GOV, 5, { sender: A, intent: intent(1) }, stake);
    expect(() => govVote(s, 6, { sender: A, intent: intent(1) }, stake)).toThrow(/already submitted/);
  });

  it('accepts only canonical flat patches', () => {
    expect(checkPatch('{"a":true,"b":"x"}')).toBe('{"a":true,"b":"x"}');
    expect(() => checkPatch('{"b":1,"a":2}')).toThrow(/canonical/);
    expect(() => checkPatch('{ "a": 1 }')).toThrow(/canonical/);
    expect(() => checkPatch('{}')).toThrow(/non-empty/);
    expect(() => checkPatch('{"a":{"b":1}}')).toThrow(/boolean, string or integer/);
    expect(() => checkPatch('[1]')).toThrow(/object/);
  });
});

let t: TestChain | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('intent transactions on a real chain', () => {
  it('takes effect at the first block of epoch_apply; reopen and replay agree', async () => {
    t = await openTestChain({ modules: [governorChainModule] });
    const txHash = t.chain.submitCall(intentKind, intent(1));
    expect(t.chain.mempool.has(txHash)).toBe(true);
    // A second identical intent from the same validator is refused at admission once included.
    await t.chain.produceBlock();
    expect((await t.chain.txStatus(txHash)).status).toBe('included');
    expect(t.chain.moduleState(governorState).pending.map((p) => p.voters)).toEqual([[t.nodeKey.address.slice(3)]]);
    expect(() => t!.chain.submitCall(intentKind, intent(1))).toThrow(RpcError);
    while (t.chain.tip().height < EPOCH_BLOCKS - 1) await t.chain.produceBlock();
    expect(t.chain.moduleState(governorState).params).toEqual([]);
    const before = await t.chain.produceBlock(); // height 120 = first block of epoch 1
    expect(before.height).toBe(EPOCH_BLOCKS);
    expect(t.chain.moduleState(governorState).params).toEqual([['operational', 'true']]);
    expect(t.chain.moduleState(governorState).history[0]).toMatchObject({ gate: 'operational', action: 'enter', epoch: 1, outcome: 'applied' });
    // Late intent (epoch_apply 1 during epoch 1) is refused with its reason.
    try {
      t.chain.submitCall(intentKind, intent(1, false));
      expect.unreachable();
    } catch (err) {
      expect((err as RpcError).data?.reason).toBe('intent_too_late');
    }
    const tip = t.chain.tip();
    const gov = t.chain.moduleState(governorState);
    await t.reopen();
    expect(t.chain.moduleState(governorState)).toEqual(gov);
    expect(t.chain.tip().state_root).toBe(tip.state_root);
    await t.chain.close();
    const r = await replayFromGenesis(t.dir, { modules: [governorChainModule], tmpDir: await tempRoot('tb replay-') });
    expect(r).toEqual({ height: tip.height, stateRoot: tip.state_root, ok: true });
    // A node without the governor module refuses this data dir rather than misreading it.
    await expect(Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey })).rejects.toThrow(/state of module "governor", which this node does not run/);
    t.chain = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey, modules: [governorChainModule] });
  });

  it('refuses an intent from a key that is not a validator; transfers still need their fee', async () => {
    t = await openTestChain({ modules: [governorChainModule] });
    const k = generateKeys();
    const tx = signCall({ chainId: 31337, publicKey: k.publicKey, secretKey: k.secretKey, nonce: 0n, fee: 0n, call: { tag: intentKind.tag, body: intentKind.encode(intent(1)) } });
    expect(intentKind.decode(decodeTx(tx.bytes).payload.call!.body)).toEqual(intent(1));
    try {
      t.chain.submit(tx.bytes);
      expect.unreachable();
    } catch (err) {
      expect((err as RpcError).data?.reason).toBe('not_validator');
    }
  });
});
