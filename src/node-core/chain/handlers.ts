/**
 * JSON-RPC handlers of the chain (methods declared in src/shared/api/methods.ts): chain.tip,
 * chain.block, tx.submit, tx.status, account.get, mempool.stats, dev.mine_one, wallet.list,
 * wallet.transfer. Params arrive parsed by the dispatcher; amounts leave as decimal strings.
 */
import { Reason, RpcError } from '../../shared/api/errors.js';
import { fromHex } from '../crypto/hash.js';
import type { HandlerMap } from '../rpc/types.js';
import type { Keystore } from '../wallet/keystore.js';
import type { Chain } from './chain.js';
import { signTransfer } from './tx.js';

export function chainHandlers(chain: Chain, o: { network: string; keystore: Keystore }): HandlerMap {
  return {
    'chain.tip': () => chain.tip(),

    'chain.block': async (p) => {
      const b = await chain.blockView({ height: p.height, hash: p.hash });
      if (!b) throw RpcError.notFound(p.hash !== undefined ? `no block with hash ${p.hash}` : `no block at height ${p.height} (head is ${chain.tip().height})`);
      return b;
    },

    'tx.submit': (p) => {
      const tx = chain.submit(fromHex(p.tx));
      return { hash: tx.hash, status: 'pending' as const };
    },

    'tx.status': (p) => chain.txStatus(p.hash),

    'account.get': (p) => chain.account(p.address),

    'mempool.stats': () => chain.mempool.stats(),

    'dev.mine_one': async () => {
      if (o.network !== 'dev') throw RpcError.app(Reason.dev_only, `dev.mine_one is only available on the dev network (this node runs "${o.network}")`);
      const h = await chain.produceBlock();
      return { height: h.height, hash: h.hash };
    },

    'wallet.list': async () => {
      const { wallets, unreadable } = await o.keystore.list();
      return { wallets: wallets.map((k) => ({ ...k, balance: chain.accountState(k.address).balance.toString() })), unreadable };
    },

    'wallet.transfer': async (p) => {
      const key = await o.keystore.get(p.from);
      const fee = p.fee ?? chain.mempool.minFee;
      const nonce = chain.accountState(key.address).pendingNonce;
      const tx = signTransfer({ chainId: chain.genesis.chain_id, publicKey: key.publicKey, secretKey: key.secretKey, to: p.to, amount: p.amount, fee, nonce });
      chain.submit(tx.bytes);
      return { hash: tx.hash, status: 'pending' as const, fee: fee.toString(), nonce: nonce.toString() };
    },
  };
}
