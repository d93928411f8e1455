/**
 * JSON-RPC handlers of the local wallet (methods declared in src/shared/api/methods.ts):
 * wallet.list (local keys with balances) and wallet.transfer (signed with a local key, submitted
 * to the chain's mempool). Amounts leave as decimal strings (base units of BLOCK).
 */
import type { Chain } from '../chain/chain.js';
import { signTransfer } from '../chain/tx.js';
import type { HandlerMap } from '../rpc/types.js';
import type { Keystore } from './keystore.js';

export function walletHandlers(chain: Chain, o: { keystore: Keystore }): HandlerMap {
  return {
    'wallet.list': async () => {
      const { wallets, unreadable } = await o.keystore.list();
      return { wallets: wallets.map((k) => ({ ...k, balance: chain.accountState(k.address).balance.toString() })), unreadable };
    },

    'wallet.transfer': async (p) => {
      const key = await o.keystore.get(p.from);
      const fee = p.fee ?? chain.mempool.minFee;
      const nonce = chain.accountState(key.address).pendingNonce;
      const tx = signTransfer({
        chainId: chain.genesis.chain_id,
        publicKey: key.publicKey,
        secretKey: key.secretKey,
        to: p.to,
        amount: p.amount,
        fee,
        nonce,
      });
      chain.submit(tx.bytes);
      return { hash: tx.hash, status: 'pending' as const, fee: fee.toString(), nonce: nonce.toString() };
    },
  };
}
