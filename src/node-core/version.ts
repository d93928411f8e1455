/**
 * Node software version (from package.json), reported by node.status and the console. A JSON
 * import, so a bundle (out/…) carries the version inside it instead of looking for package.json
 * relative to wherever the bundle's chunk landed.
 */
import pkg from '../../package.json' with { type: 'json' };

export const NODE_VERSION: string = (pkg as { version: string }).version;
