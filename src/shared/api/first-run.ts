/**
 * The first run's settings file schema, apart from app.ts's method list: console server mode reads
 * the file before it starts the node, and needs no other schema for that (issue 17).
 */
import { z } from 'zod';

/** The first run's choices (`~/.the_block/console.json`). The RPC token it may set is kept by the Settings store (`console-settings.json`, see desktop.ts), where Settings edits it. */
export const FirstRunSettings = z.object({
  version: z.literal(1),
  /** Folder holding one data root per network (`<data_parent>/<network>`). */
  data_parent: z.string(),
  network: z.string(),
  /** Keep the node running in the background when the window closes (desktop tray). */
  keep_running: z.boolean(),
  /** Whether mutating RPC calls need a token (the token itself is never sent to the UI). */
  rpc_auth: z.boolean(),
  completed_at_ms: z.number(),
});
export type FirstRunSettings = z.infer<typeof FirstRunSettings>;
