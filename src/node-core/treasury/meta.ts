/** The treasury's metadata (modules/types.ts ModuleMeta; no config keys): read by the node's module list without loading the module. */
import { defineModuleMeta } from '../modules/index.js';

export const TREASURY_META = defineModuleMeta({
  id: 'treasury',
  label: 'Treasury and governance params',
  dataPaths: [{ id: 'treasury', label: 'Treasury', paths: ['treasury'], note: "treasury/provenance.json — executed and rolled-back disbursements; treasury/intents.json — the executor's staged intents (state itself is in the chain DB)", default_included: true }],
});
