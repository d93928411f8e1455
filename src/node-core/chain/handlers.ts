/**
 * JSON-RPC handlers of the chain (methods declared in src/shared/api/methods.ts): chain.tip,
 * chain.block, tx.submit, tx.status, account.get, mempool.stats, dev.mine_one
 * (the wallet methods are in wallet/handlers.ts). Params arrive parsed by the dispatcher; amounts leave as decimal strings.
 */
import { Reason, RpcError } from '../../shared/api/errors.js';
import { fromHex } from '../crypto/hash.js';
import type { HandlerMap } from '../rpc/types.js';
import type { Chain } from './chain.js';

export function chainHandlers(chain: Chain, o: { network: string }): HandlerMap {
  return {
    'chain.tip': () => chain.tip(),

    'chain.block': async (p) => {
      const b = await chain.blockView({ height: p.height, hash: p.hash });
      if (!b)
        throw RpcError.notFound(
          p.hash !== undefined
            ? `no block with hash ${p.hash}`
            : `no block at height ${p.height} (head is ${chain.tip().height})`,
        );
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
      if (o.network !== 'dev')
        throw RpcError.app(
          Reason.dev_only,
          `dev.mine_one is only available on the dev network (this node runs "${o.network}")`,
        );
      const h = await chain.produceBlock();
      return { height: h.height, hash: h.hash };
    },
  };
}
