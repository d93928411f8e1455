/**
 * The treasury's account: `tb1` + the first 20 bytes of SHA-256 of the ASCII text
 * `the-block/treasury`. No Ed25519 key hashes to it, so no transaction can be signed from it;
 * only module code moves value out of it (treasury disbursements) through `ctx.ledger`.
 * Other modules accrue to the treasury with `ctx.ledger.transfer(payer, TREASURY_ADDRESS, amount)`.
 */
import { createHash } from 'node:crypto';

export const TREASURY_ADDRESS: string =
  'tb1' + createHash('sha256').update('the-block/treasury', 'ascii').digest('hex').slice(0, 40);
