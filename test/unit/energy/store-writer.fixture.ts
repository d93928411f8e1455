// Child process of store-crash.test.ts: writes the energy_market store the way EnergyService does
// (one atomic batch per change: `state` canonical CBOR, `height`, `receipts`, `disputes`, `slashes`)
// as fast as it can, printing each committed height, until it is killed.
import { encodeCanonical } from '../../../src/node-core/codec/canonical.js';
import { EMPTY_ENERGY, encodeEnergy, type EnergyState } from '../../../src/node-core/energy/state.js';
import { names, SimpleDb } from '../../../src/node-core/storage/simpledb.js';

const db = await SimpleDb.openNamed(names.ENERGY_MARKET, process.argv[2]);
let s: EnergyState = EMPTY_ENERGY;
for (let h = 1; ; h++) {
  const receipt = { hash: h.toString(16).padStart(64, '0'), buyer: 'tb1' + 'aa'.repeat(20), provider: 'energy-0x00000000', owner: 'tb1' + 'bb'.repeat(20), kwh: BigInt(h), pricePaid: BigInt(h * 25), fee: BigInt(Math.floor((h * 25 * 250) / 10_000)), slash: 0n, height: h, creditHeight: h - 1, trade: true };
  s = { ...s, receipts: [...s.receipts, receipt].slice(-1024), counters: { ...s.counters, settlements: h, kwhTraded: s.counters.kwhTraded + BigInt(h) } };
  await db.batch().insert('state', encodeCanonical(encodeEnergy(s))).insertJson('height', h).insertJson('receipts', s.receipts.map((r) => ({ height: r.height }))).insertJson('disputes', []).insertJson('slashes', []).write();
  process.stdout.write(`${h}\n`);
}
