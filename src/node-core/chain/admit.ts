/**
 * The stateless half of admitting a submitted transaction: decode (tx and module call), chain id
 * and signature. The stateful half (module checks on the next block, mempool rules) is Chain.submit.
 */
import { Reason, RpcError } from '../../shared/api/errors.js';
import { verify } from '../crypto/ed25519.js';
import { CodecError } from './codec.js';
import type { DecodedCall, ModuleSet } from './modules.js';
import { decodeTx, signingMessage, type SignedTx } from './tx.js';

/**
 * Decodes a signed tx (canonical CBOR bytes) and its module call (undefined for a transfer) and
 * checks its chain id and signature.
 * @throws RpcError.app with reason malformed_tx | unknown_tx_kind | a codec reason | wrong_chain_id | bad_signature.
 */
export function decodeSubmitted(bytes: Uint8Array, modules: ModuleSet, chainId: number): { tx: SignedTx; call: DecodedCall | undefined } {
  let tx: SignedTx;
  let call;
  try {
    tx = decodeTx(bytes);
    call = modules.decode(tx);
  } catch (err) {
    if (err instanceof CodecError) {
      const reason = (err as { reason?: string }).reason;
      throw RpcError.app(reason ?? Reason.malformed_tx, reason ? err.message : `malformed transaction: ${err.message}`);
    }
    throw err;
  }
  if (tx.payload.chainId !== chainId)
    throw RpcError.app(Reason.wrong_chain_id, `transaction is for chain id ${tx.payload.chainId}; this node runs chain id ${chainId}`);
  if (!verify(tx.signature, signingMessage(chainId, tx.payloadBytes), tx.publicKey))
    throw RpcError.app(Reason.bad_signature, `signature does not verify for ${tx.fromAddress} on chain id ${chainId}`);
  return { tx, call };
}
