/**
 * Importing blocks that sync fetched (consecutive heights), each with its commit certificate
 * (wire.ts): a block is taken only with > 2/3 of the stake's signed precommits for it (the
 * catch-up of Algorithm 1 line 49 with the value carried beside the precommits); a block we already
 * hold must be the same one (committed blocks are final: no fork choice). The stake counted is the
 * set active at the block's height: genesis stakes without the validators excluded by evidence
 * committed below it (the chain state after the parent, chain/exclusions.ts).
 */
import type { Block } from '../block.js';
import type { Chain } from '../chain.js';
import { ImportError } from '../verify.js';
import { verifyCertificate, type Keyring } from './wire.js';
import { activeStakes } from './committed-evidence.js';
import { excludedAt, exclusionsRef } from '../exclusions.js';

/**
 * The imports of a range are queued, not awaited one by one, so the run is group-committed with
 * one fsync (Chain.importBlock) and the apply of block i overlaps the checks of block i+1. On a
 * multi-validator chain each certificate is checked just before its block applies (against the
 * stake active after its parent), and the run's certified blocks become final only with the
 * run's fsync: finality is never acknowledged before the block is on disk.
 * @param certs `certs[i]` certifies `blocks[i]` (empty bytes: none; refused on a multi-validator chain).
 * @param pre the blocks' preverification, already started (chain.preverify).
 * @returns how many blocks were imported.
 * @throws ImportError no_common_ancestor (conflicts with a committed block) | no_certificate | bad_certificate | a block's reason.
 */
export async function importCertified(chain: Chain, v: { keys: Keyring; stakes: ReadonlyMap<string, bigint> }, blocks: Uint8Array[], certs: Uint8Array[], pre: Promise<Block>[]): Promise<number> {
  const multi = chain.set.multi;
  const queued: Promise<boolean>[] = [];
  try {
    for (let i = 0; i < blocks.length; i++) {
      const b = await pre[i];
      const h = b.header.height;
      if (await alreadyHeld(chain, b)) continue;
      const certificate = multi ? certs[i] : undefined;
      if (multi && (!certificate || certificate.length === 0)) throw new ImportError('no_certificate', `block ${h} comes without a commit certificate`);
      const check = certificate
        ? () => {
            try {
              verifyCertificate(certificate, b, v.keys, activeStakes(v.stakes, excludedAt(chain.moduleState(exclusionsRef), h)));
            } catch (err) {
              throw new ImportError('bad_certificate', `block ${h}: ${(err as Error).message}`);
            }
          }
        : undefined;
      const p = chain.importBlock(blocks[i], pre[i], { certificate, check }).then(
        () => true,
        // The core may have committed the same block meanwhile.
        async (err: unknown) => {
          if (!(err instanceof ImportError) || (await chain.hashAt(h)) !== b.hashHex) throw err;
          return false;
        },
      );
      p.catch(() => {});
      queued.push(p);
    }
  } catch (err) {
    await Promise.allSettled(queued);
    throw err;
  }
  // In order: the first failure is the error (the blocks queued after it fail on its account).
  let imported = 0;
  for (const p of queued) if (await p) imported++;
  return imported;
}

/**
 * True when the chain already holds block `b`'s height and it is the same block (skip it).
 * @throws ImportError no_common_ancestor when it holds a different block there (committed blocks are final).
 */
async function alreadyHeld(chain: Chain, b: Block): Promise<boolean> {
  const h = b.header.height;
  if (h > chain.headBlock().header.height) return false;
  if ((await chain.hashAt(h)) !== b.hashHex) throw new ImportError('no_common_ancestor', `block ${h} of the peer conflicts with this node's committed block ${h}`);
  return true;
}
