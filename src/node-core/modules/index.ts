/**
 * The node's module list: one line per subsystem (modules/types.ts). Start order = list order;
 * the node closes them in reverse. Adding a subsystem: see README "Adding a subsystem".
 */
import { GOVERNOR } from '../governor/index.js';
import type { AnyNodeModule } from './types.js';

export const NODE_MODULES: readonly AnyNodeModule[] = [
  GOVERNOR,
];
