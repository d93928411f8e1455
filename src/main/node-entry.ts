/**
 * Bootstrap of the node inside Electron's utilityProcess: registers tsx (the project runs its
 * TypeScript directly) and imports the node entry named by `TB_NODE_ENTRY`. The node's flags
 * follow the `--tb-node` marker (where utilityProcess puts its args in `process.argv` is not
 * something to depend on); `argv` is rewritten so the entry sees itself as the main module.
 */
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const NODE_ARGS_MARKER = '--tb-node';

const entry = process.env.TB_NODE_ENTRY;
const at = process.argv.indexOf(NODE_ARGS_MARKER);
if (!entry || at < 0) {
  process.stderr.write('error: node-entry needs TB_NODE_ENTRY and the --tb-node flag marker\n');
  process.exit(2);
}
process.argv = [process.argv[0], entry, ...process.argv.slice(at + 1)];
register();
await import(pathToFileURL(entry).href);
